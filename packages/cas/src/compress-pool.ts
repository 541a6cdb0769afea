import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { encodeChunk } from './chunk-codec.ts';
import { WORKER_EXEC_ARGV } from './worker-options.ts';

/**
 * A batch of chunks packed back to back in one buffer. The worker answers
 * with one buffer too: u32:count (u32:storedLength u8:codec)* payloads.
 */
export interface CompressTask {
  buffer: ArrayBuffer;
  lengths: number[];
  level: number;
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
            execArgv: WORKER_EXEC_ARGV,
            resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 48 },
          })
        : undefined;
  }

  /** Compresses at the store's level, or at `level` (background work that can afford a slower, smaller encoding). */
  async compress(chunks: readonly Uint8Array[], level = this.#level): Promise<StoredChunk[]> {
    if (!this.#piscina) return chunks.map((chunk) => encodeChunk(chunk, level));
    const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const packed = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      packed.set(chunk, at);
      at += chunk.byteLength;
    }
    const task: CompressTask = { buffer: packed.buffer, lengths: chunks.map((c) => c.byteLength), level };
    const result = (await this.#piscina.run(task, { transferList: [packed.buffer] })) as Uint8Array;
    const output = Buffer.from(result.buffer, result.byteOffset, result.byteLength);
    const count = output.readUInt32LE(0);
    const stored: StoredChunk[] = [];
    let payloadAt = 4 + count * 5;
    for (let i = 0; i < count; i++) {
      const length = output.readUInt32LE(4 + i * 5);
      stored.push({ codec: output.readUInt8(8 + i * 5), payload: output.subarray(payloadAt, payloadAt + length) });
      payloadAt += length;
    }
    return stored;
  }

  async close(): Promise<void> {
    await this.#piscina?.destroy();
  }
}
