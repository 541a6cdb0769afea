import { type Cipheriv, createCipheriv, createHash } from 'node:crypto';

/**
 * A reproducible source of pseudo-random bytes and integers: AES-256-CTR
 * keystream keyed by the seed. Cheap enough to produce hundreds of MiB on the
 * fly, and incompressible, so a deduplicating store cannot shortcut it.
 */
export class SeededBytes {
  #keystream: Cipheriv;
  /** Zeros to encrypt, kept between calls so each piece costs one allocation, not two. */
  #zeros = Buffer.alloc(0);

  constructor(seed: string | number) {
    const key = createHash('sha256').update(`strata-cas-testsuite:${seed}`).digest();
    this.#keystream = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  }

  /** The next `length` bytes of the stream. */
  next(length: number): Buffer {
    if (this.#zeros.byteLength < length) this.#zeros = Buffer.alloc(length);
    return this.#keystream.update(this.#zeros.subarray(0, length));
  }

  /** An integer in [0, bound); 48 random bits keep the modulo bias negligible. */
  int(bound: number): number {
    return this.next(6).readUIntBE(0, 6) % bound;
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
}

/** `length` reproducible pseudo-random bytes. */
export function seededBytes(seed: string | number, length: number): Buffer {
  return new SeededBytes(seed).next(length);
}

/**
 * Yields `totalBytes` reproducible pseudo-random bytes in pieces of
 * `pieceBytes`, producing each piece only when asked, so the whole never
 * sits in memory.
 */
export async function* generatedBytes(
  seed: string | number,
  totalBytes: number,
  pieceBytes = 1024 * 1024,
): AsyncGenerator<Buffer> {
  const source = new SeededBytes(seed);
  for (let produced = 0; produced < totalBytes; ) {
    const piece = source.next(Math.min(pieceBytes, totalBytes - produced));
    produced += piece.byteLength;
    yield piece;
  }
}
