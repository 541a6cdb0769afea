/**
 * The two range headers of the API: `Range: bytes=...` on blob reads, and
 * `Content-Range: <start>-<end>` on upload chunks.
 */

/** A satisfiable byte range of a blob of known size. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Parses a single-range `Range` header against a blob of `size` bytes:
 * undefined when the whole blob is to be sent (no header, or one this
 * reader ignores such as several ranges), 'unsatisfiable' for a range that
 * starts past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const offset = Number(first);
  if (offset >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < offset) return 'unsatisfiable';
  return { offset, length: end - offset + 1 };
}

/** An upload chunk's `Content-Range` (`start-end`, inclusive; a `bytes ` prefix tolerated). */
export function parseContentRange(header: string | undefined): { start: number; end: number } | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) return 'invalid';
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end < start ? 'invalid' : { start, end };
}

/** The `Range` an upload answers with: the bytes received so far, inclusive. */
export function uploadedRange(offset: number): string {
  return `0-${Math.max(offset - 1, 0)}`;
}
