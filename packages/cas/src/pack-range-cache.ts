import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Fetches pack bytes [start, start + length) from where packs live; fewer bytes only at the pack's end. */
export type RangeFetch = (packId: number, start: number, length: number) => Promise<Buffer>;

export const DEFAULT_BLOCK_BYTES = 1024 * 1024;

interface CachedBlock {
  packId: number;
  bytes: number;
}

/**
 * Hot ranges of remote packs, on local disk, bounded in bytes. Packs are
 * cut into aligned blocks; a read fetches the blocks it covers that are not
 * cached with one ranged request per run of neighbours, so a blob's
 * chunks, which lie side by side in a pack, cost few requests, and a small
 * read (a pack header, a trailer) costs one block, not a pack. Concurrent
 * misses of a block share its fetch. Least recently used blocks go first.
 *
 * On disk rather than in memory: a useful cache of a store that serves
 * gigabytes is larger than a process should hold, and a block costs one
 * file read when hit. The directory is emptied when the cache opens: blocks
 * are disposable, and a pack id removed and used again must not meet
 * blocks of the old pack.
 */
export class PackRangeCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #blockBytes: number;
  readonly #fetch: RangeFetch;
  // Cached blocks by key, least recently used first.
  readonly #blocks = new Map<string, CachedBlock>();
  readonly #inFlight = new Map<string, Promise<Buffer>>();
  // Bumped when a pack is evicted, so a fetch that started before does not cache stale bytes.
  readonly #generations = new Map<number, number>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  private constructor(dir: string, maxBytes: number, blockBytes: number, fetch: RangeFetch) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
    this.#blockBytes = blockBytes;
    this.#fetch = fetch;
  }

  static async open(dir: string, maxBytes: number, fetch: RangeFetch, blockBytes = DEFAULT_BLOCK_BYTES): Promise<PackRangeCache> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return new PackRangeCache(dir, maxBytes, blockBytes, fetch);
  }

  /** Bytes of cached blocks. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Blocks served from the cache and blocks fetched, since the cache opened. */
  stats(): { hits: number; misses: number; bytes: number; blocks: number } {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes, blocks: this.#blocks.size };
  }

  /** The bytes [offset, offset + length) of a pack; fewer when the pack ends before. */
  async read(packId: number, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / this.#blockBytes);
    const last = Math.floor((offset + length - 1) / this.#blockBytes);
    // A read larger than a quarter of the cache would only push out what is hot.
    if ((last - first + 1) * this.#blockBytes > this.#maxBytes / 4) return this.#fetch(packId, offset, length);
    const blocks: Promise<Buffer>[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length > 0) blocks.push(...this.#fetchRun(packId, run));
      run = [];
    };
    for (let block = first; block <= last; block++) {
      const key = blockKey(packId, block);
      const shared = this.#inFlight.get(key);
      const cached = this.#blocks.get(key);
      if (shared === undefined && cached === undefined) {
        run.push(block);
        continue;
      }
      flush();
      blocks.push(shared ?? this.#readCached(packId, block, key));
    }
    flush();
    const parts = await Promise.all(blocks);
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const from = offset - first * this.#blockBytes;
    return joined.subarray(from, Math.min(from + length, joined.byteLength));
  }

  // One request for a run of neighbouring blocks; each block's promise is shared while it is in flight.
  #fetchRun(packId: number, run: readonly number[]): Promise<Buffer>[] {
    const start = run[0]! * this.#blockBytes;
    const generation = this.#generations.get(packId) ?? 0;
    this.#misses += run.length;
    const fetched = this.#fetch(packId, start, run.length * this.#blockBytes);
    return run.map((block, i) => {
      const key = blockKey(packId, block);
      const promise = fetched.then(async (bytes) => {
        const part = bytes.subarray(Math.min(i * this.#blockBytes, bytes.byteLength), Math.min((i + 1) * this.#blockBytes, bytes.byteLength));
        if (part.byteLength > 0 && (this.#generations.get(packId) ?? 0) === generation) await this.#store(packId, key, part);
        return part;
      });
      const shared = promise.finally(() => {
        if (this.#inFlight.get(key) === shared) this.#inFlight.delete(key);
      });
      this.#inFlight.set(key, shared);
      // Readers of other blocks of the run see the error through their own promise.
      shared.catch(() => {});
      return shared;
    });
  }

  async #readCached(packId: number, block: number, key: string): Promise<Buffer> {
    const entry = this.#blocks.get(key)!;
    this.#blocks.delete(key);
    this.#blocks.set(key, entry);
    try {
      const bytes = await readFile(join(this.#dir, key));
      this.#hits++;
      return bytes;
    } catch {
      // Evicted (or lost) since it was looked up: fetch it again.
      this.#forget(key);
      return this.#inFlight.get(key) ?? this.#fetchRun(packId, [block])[0]!;
    }
  }

  async #store(packId: number, key: string, bytes: Buffer): Promise<void> {
    if (this.#blocks.has(key) || bytes.byteLength > this.#maxBytes) return;
    const path = join(this.#dir, key);
    try {
      await writeFile(`${path}.tmp`, bytes);
      await rename(`${path}.tmp`, path);
    } catch {
      // A full disk makes the cache smaller, not reads fail.
      await unlink(`${path}.tmp`).catch(() => {});
      return;
    }
    if (this.#blocks.has(key)) return;
    this.#blocks.set(key, { packId, bytes: bytes.byteLength });
    this.#bytes += bytes.byteLength;
    while (this.#bytes > this.#maxBytes) {
      const [oldest] = this.#blocks.keys();
      this.#remove(oldest!);
    }
  }

  #forget(key: string): boolean {
    const entry = this.#blocks.get(key);
    if (!entry) return false;
    this.#blocks.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  #remove(key: string): void {
    // A read that opened the file before keeps its bytes (POSIX); a later one misses and fetches.
    if (this.#forget(key)) void unlink(join(this.#dir, key)).catch(() => {});
  }

  /** Drops every block of a pack (it is being removed). */
  async evict(packId: number): Promise<void> {
    this.#generations.set(packId, (this.#generations.get(packId) ?? 0) + 1);
    const keys = [...this.#blocks].filter(([, entry]) => entry.packId === packId).map(([key]) => key);
    for (const key of keys) this.#forget(key);
    await Promise.all(keys.map((key) => unlink(join(this.#dir, key)).catch(() => {})));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()]);
  }
}

function blockKey(packId: number, block: number): string {
  return `${packId.toString().padStart(8, '0')}-${block.toString().padStart(8, '0')}`;
}
