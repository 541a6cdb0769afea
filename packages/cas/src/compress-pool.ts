import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { encodeChunk } from './chunk-codec.ts';

/** A batch of chunks packed back to back in one buffer. */
export interface CompressTask {
  buffer: ArrayBuffer;
  lengths: number[];
  level: number;
}

export interface CompressResult {
  buffer: ArrayBuffer;
  lengths: number[];
  codecs: number[];
}

export interface StoredChunk {
  codec: number;
  payload: Uint8Array;
}

/**
 * Compresses chunks off the main event loop, on every core. A pool of size
 * zero compresses inline (for tests and tiny inputs).
 */
export class CompressPool {
  readonly #piscina: Piscina | undefined;
  readonly #level: number;

  constructor(level: number, threads = availableParallelism()) {
    this.#level = level;
    this.#piscina =
      threads > 0
        ? new Piscina({
            filename: new URL('./compress-worker.ts', import.meta.url).href,
            minThreads: threads,
            maxThreads: threads,
            idleTimeout: 30_000,
          })
        : undefined;
  }

  async compress(chunks: readonly Uint8Array[]): Promise<StoredChunk[]> {
    if (!this.#piscina) return chunks.map((chunk) => encodeChunk(chunk, this.#level));
    const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const packed = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      packed.set(chunk, at);
      at += chunk.byteLength;
    }
    const task: CompressTask = { buffer: packed.buffer, lengths: chunks.map((c) => c.byteLength), level: this.#level };
    const result = (await this.#piscina.run(task, { transferList: [packed.buffer] })) as CompressResult;
    const output = new Uint8Array(result.buffer);
    const stored: StoredChunk[] = [];
    let start = 0;
    result.lengths.forEach((length, i) => {
      stored.push({ codec: result.codecs[i]!, payload: output.subarray(start, start + length) });
      start += length;
    });
    return stored;
  }

  async close(): Promise<void> {
    await this.#piscina?.destroy();
  }
}
