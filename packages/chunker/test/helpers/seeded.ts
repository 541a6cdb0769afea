/**
 * Deterministic test input. Marsaglia's xorshift32 ("Xorshift RNGs", 2003),
 * shifts 13, 17, 5, on a nonzero 32-bit state:
 *
 *   x ^= x << 13; x ^= x >>> 17; x ^= x << 5
 *
 * Bytes are each new state written little-endian, 4 bytes per step. The
 * golden vectors depend on this exact stream.
 */
export class XorShift32 {
  #state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed >>> 0 === 0) throw new RangeError('xorshift32 needs a nonzero 32-bit seed');
    this.#state = seed >>> 0;
  }

  /** The next state, as an unsigned 32-bit integer. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + (this.next() % (high - low + 1));
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const x = this.next();
      out[i] = x;
      if (i + 1 < length) out[i + 1] = x >>> 8;
      if (i + 2 < length) out[i + 2] = x >>> 16;
      if (i + 3 < length) out[i + 3] = x >>> 24;
    }
    return out;
  }
}

export function seededBytes(length: number, seed: number): Uint8Array {
  return new XorShift32(seed).bytes(length);
}

/** Splits `data` into consecutive pieces whose sizes `nextSize` picks. */
export function splitInto(data: Uint8Array, nextSize: () => number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; ) {
    const size = Math.max(1, nextSize());
    pieces.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return pieces;
}

/** Chunk end offsets from chunk lengths. */
export function endsOf(chunks: readonly Uint8Array[]): number[] {
  const ends: number[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    offset += chunk.length;
    ends.push(offset);
  }
  return ends;
}
