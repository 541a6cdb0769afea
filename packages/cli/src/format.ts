import prettyBytes from 'pretty-bytes';

/** Sizes in binary units (KiB, MiB, ...), as the engine's sizes are chosen. */
export function humanBytes(bytes: number): string {
  return prettyBytes(bytes, { binary: true, maximumFractionDigits: 2 });
}

/** A size for people, followed by the exact count for scripts and checks. */
export function bytesWithExact(bytes: number): string {
  return `${humanBytes(bytes)} (${bytes} bytes)`;
}
