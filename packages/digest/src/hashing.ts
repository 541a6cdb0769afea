import { createHash, type Hash } from 'node:crypto';
import type { DigestAlgorithm } from './digest.ts';

/**
 * An incremental hasher that also counts bytes; `digest()` gives the OCI
 * string form. It can be copied to read the digest of a prefix without
 * ending the stream.
 */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  #hash: Hash;
  #size = 0;

  constructor(algorithm: DigestAlgorithm = 'sha256', hash?: Hash, size = 0) {
    this.algorithm = algorithm;
    this.#hash = hash ?? createHash(algorithm);
    this.#size = size;
  }

  update(bytes: Uint8Array): this {
    this.#hash.update(bytes);
    this.#size += bytes.byteLength;
    return this;
  }

  /** Bytes hashed so far. */
  get size(): number {
    return this.#size;
  }

  copy(): Digester {
    return new Digester(this.algorithm, this.#hash.copy(), this.#size);
  }

  /** Ends the hasher and returns `algorithm:hex`. */
  digest(): string {
    return `${this.algorithm}:${this.#hash.digest('hex')}`;
  }
}

/** The digest of a byte array. */
export function digestBytes(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** The raw 32-byte sha256 of a byte array (the chunk identity). */
export function sha256Raw(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** Hashes a stream to its end. */
export async function digestStream(
  source: AsyncIterable<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<{ digest: string; size: number }> {
  const digester = new Digester(algorithm);
  for await (const piece of source) digester.update(piece);
  return { size: digester.size, digest: digester.digest() };
}
