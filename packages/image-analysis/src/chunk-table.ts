import { createHash } from 'node:crypto';
import { Compressor } from 'zstd-napi';
import { DEFAULT_ZSTD_LEVEL } from '@strata/cas';

/** A chunk's identity in the analysis: the first 16 bytes of its sha256, as hex. */
export type ChunkKey = string;

export function chunkKey(chunk: Uint8Array): ChunkKey {
  return createHash('sha256').update(chunk).digest('hex').slice(0, 32);
}

/**
 * Every distinct chunk seen in a run with the bytes strata would store for
 * it: one zstd frame at the engine's level, or the raw bytes when zstd does
 * not make them smaller (as the engine decides per chunk). Each chunk is
 * compressed once, however many layers, images or chunkings hold it.
 */
export class ChunkTable {
  readonly #stored = new Map<ChunkKey, number>();
  readonly #compressor = new Compressor();

  constructor(level: number = DEFAULT_ZSTD_LEVEL) {
    this.#compressor.setParameters({ compressionLevel: level, contentSizeFlag: true, checksumFlag: false });
  }

  /** Records a chunk; returns its key. */
  add(chunk: Uint8Array): ChunkKey {
    const key = chunkKey(chunk);
    if (!this.#stored.has(key)) {
      this.#stored.set(key, Math.min(chunk.byteLength, this.#compressor.compress(chunk).byteLength));
    }
    return key;
  }

  /** Stored bytes of a chunk recorded before. */
  storedBytes(key: ChunkKey): number {
    return this.#stored.get(key) ?? 0;
  }
}
