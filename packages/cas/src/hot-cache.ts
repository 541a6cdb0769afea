import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { Digester, parseDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';

// Copies into the cache buffer this much before the writer waits for the disk.
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

/** Blobs smaller than this are cheap to read from their chunks and are not cached (expanded layers excepted). */
export const MIN_CACHED_BYTES = 1024 * 1024;

interface Entry {
  size: number;
  /**
   * Set once this process has seen the file's content match its digest: a
   * copy it wrote from verified bytes, or one a whole read hashed. Files
   * found at start-up are hashed on their first whole read.
   */
  verified: boolean;
}

/**
 * A bounded cache of materialized blobs as plain files, least recently
 * read evicted first, kept across restarts. A repeated read of a hot blob
 * costs a file read instead of decompressing and verifying its chunks.
 * Files are filled from verified bytes (a whole read of the blob, or its
 * ingest once the digest checked out); a file found at start-up is hashed on
 * its first whole read, which fails with DataLoss (and drops the file) if
 * it no longer matches the blob's digest.
 */
export class HotCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  // Least recently used first.
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  // Files being renamed into place, and removals that arrived meanwhile.
  readonly #adopting = new Map<string, number>();
  readonly #removedWhileAdopting = new Set<string>();
  // Copies in progress, by file name; a removal while one runs keeps it from being adopted.
  readonly #capturing = new Map<string, { removed: boolean; count: number }>();

  private constructor(dir: string, maxBytes: number) {
    this.#dir = dir;
    this.#maxBytes = maxBytes;
  }

  static async open(dir: string, maxBytes: number): Promise<HotCache> {
    const cache = new HotCache(dir, maxBytes);
    await mkdir(dir, { recursive: true });
    const found: { name: string; size: number; mtimeMs: number }[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (!name.startsWith('blob-')) {
        await rm(path, { force: true });
        continue;
      }
      const info = await stat(path);
      found.push({ name, size: info.size, mtimeMs: info.mtimeMs });
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { name, size } of found) {
      cache.#entries.set(name, { size, verified: false });
      cache.#bytes += size;
    }
    await cache.#evict();
    return cache;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Whether a blob this size is worth keeping. A blob `rebuilt` by
   * re-encoding (an expanded layer) is, however small: re-encoding runs at
   * MB/s, so even a small layer costs a tenth of a second on every read.
   */
  wants(size: number, rebuilt = false): boolean {
    return this.#maxBytes > 0 && (rebuilt || size >= MIN_CACHED_BYTES) && size <= this.#maxBytes / 2;
  }

  /** The bytes [offset, offset + length) of a cached blob, or undefined when it is not cached. */
  read(digest: string, size: number, offset: number, length: number): Readable | undefined {
    const name = fileName(digest);
    const entry = this.#entries.get(name);
    if (!entry || entry.size !== size || length === 0) return undefined;
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    const path = join(this.#dir, name);
    const now = new Date();
    void utimes(path, now, now).catch(() => {});
    const file = createReadStream(path, { start: offset, end: offset + length - 1, highWaterMark: 1024 * 1024 });
    if (entry.verified || offset !== 0 || length !== size) return file;
    const digester = new Digester(parseDigest(digest).algorithm);
    const verify = new Transform({
      transform(piece: Buffer, _encoding, done) {
        digester.update(piece);
        done(null, piece);
      },
      flush: (done) => {
        if (digester.digest() === digest) {
          entry.verified = true;
          return done();
        }
        void this.remove(digest);
        done(new StrataError('DataLoss', `cached copy of ${digest} is damaged`, { details: { blobs: [digest] } }));
      },
    });
    file.on('error', (error) => verify.destroy(error));
    verify.on('close', () => file.destroy());
    return file.pipe(verify);
  }

  /**
   * Passes a whole read through unchanged while copying it into the cache;
   * the copy is kept only if the read completes with every byte.
   */
  capture(digest: string, size: number, source: Readable): Readable {
    const name = fileName(digest);
    const temp = join(this.#dir, `tmp-${randomUUID()}`);
    const file = createWriteStream(temp, { highWaterMark: COPY_BUFFER_BYTES });
    const capture = this.#capturing.get(name) ?? { removed: false, count: 0 };
    capture.count++;
    this.#capturing.set(name, capture);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (--capture.count === 0) this.#capturing.delete(name);
    };
    let written = 0;
    let failed = false;
    const discard = () => {
      failed = true;
      file.destroy();
      void rm(temp, { force: true });
      settle();
    };
    file.on('error', () => (failed = true));
    const tee = new Transform({
      transform(piece: Buffer, _encoding, done) {
        written += piece.byteLength;
        // The copy keeps pace with the read, so it never piles up in memory.
        if (failed || file.write(piece)) return done(null, piece);
        void drained(file).then(() => done(null, piece));
      },
      flush: (done) => {
        if (failed || written !== size) {
          discard();
          return done();
        }
        // The reader is not held up by the copy: a failed copy is just not kept.
        file.once('error', discard);
        file.end(() => {
          if (failed) return;
          if (capture.removed) discard();
          else void this.#adopt(name, temp, size).finally(settle);
        });
        done();
      },
    });
    tee.on('close', () => {
      if (!tee.writableFinished) discard();
      if (!source.readableEnded) source.destroy();
    });
    source.on('error', (error) => tee.destroy(error));
    return source.pipe(tee);
  }

  async #adopt(name: string, temp: string, size: number): Promise<void> {
    this.#adopting.set(name, (this.#adopting.get(name) ?? 0) + 1);
    try {
      await rename(temp, join(this.#dir, name));
    } catch {
      await rm(temp, { force: true });
      return;
    } finally {
      const left = this.#adopting.get(name)! - 1;
      if (left === 0) this.#adopting.delete(name);
      else this.#adopting.set(name, left);
    }
    // The blob was deleted while its file was being moved in.
    if (this.#removedWhileAdopting.delete(name)) {
      await rm(join(this.#dir, name), { force: true });
      return;
    }
    const previous = this.#entries.get(name);
    if (previous) this.#bytes -= previous.size;
    this.#entries.delete(name);
    this.#entries.set(name, { size, verified: true });
    this.#bytes += size;
    await this.#evict();
  }

  /**
   * A copy of a blob being ingested, written as its bytes arrive and
   * adopted only when the ingest commits under `digest` (the engine has then
   * checked the content against it).
   */
  startCopy(): CacheCopy {
    const temp = join(this.#dir, `tmp-${randomUUID()}`);
    const file = createWriteStream(temp, { highWaterMark: COPY_BUFFER_BYTES });
    let failed = false;
    let written = 0;
    file.on('error', () => (failed = true));
    const discard = async (): Promise<void> => {
      failed = true;
      file.destroy();
      await rm(temp, { force: true });
    };
    return {
      write: async (bytes) => {
        if (failed) return;
        written += bytes.byteLength;
        if (written > this.#maxBytes / 2) return discard();
        // A copy never piles up in memory: the ingest waits for the disk.
        // Copied: the caller may reuse its buffer once the ingest's write returns.
        if (!file.write(Buffer.from(bytes))) await drained(file);
      },
      commit: async (digest, size, rebuilt = false) => {
        if (failed || written !== size || !this.wants(size, rebuilt)) return discard();
        await new Promise<void>((resolve) => file.end(resolve));
        if (failed) return discard();
        const name = fileName(digest);
        if (this.#capturing.get(name)?.removed) return discard();
        await this.#adopt(name, temp, size);
      },
      discard,
    };
  }

  async #evict(): Promise<void> {
    while (this.#bytes > this.#maxBytes) {
      const [oldest, entry] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
      await rm(join(this.#dir, oldest), { force: true });
    }
  }

  /**
   * Drops the cached copies of blobs `isLive` says the store no longer
   * holds (left behind by a crash between a delete and its cache removal).
   * Returns how many were dropped. A copy the store gains again while
   * `isLive` answers may be dropped too: that costs one cache miss.
   */
  async prune(isLive: (digest: string) => Promise<boolean>): Promise<number> {
    let dropped = 0;
    for (const name of [...this.#entries.keys()]) {
      const digest = digestOf(name);
      if (digest === undefined || (await isLive(digest))) continue;
      await this.remove(digest);
      dropped++;
    }
    return dropped;
  }

  async remove(digest: string): Promise<void> {
    const name = fileName(digest);
    const capture = this.#capturing.get(name);
    if (capture) capture.removed = true;
    if (this.#adopting.has(name)) this.#removedWhileAdopting.add(name);
    const entry = this.#entries.get(name);
    if (!entry) return;
    this.#entries.delete(name);
    this.#bytes -= entry.size;
    await rm(join(this.#dir, name), { force: true });
  }
}

/** Resolves when a stream that refused a write has room again (or failed). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

/** A blob's bytes on their way into the cache during its ingest. */
export interface CacheCopy {
  write(bytes: Uint8Array): Promise<void>;
  /** Keeps the copy as the cached blob `digest`, or drops it when incomplete (`rebuilt`: see HotCache.wants). */
  commit(digest: string, size: number, rebuilt?: boolean): Promise<void>;
  discard(): Promise<void>;
}

function fileName(digest: string): string {
  return `blob-${digest.replace(':', '-')}`;
}

function digestOf(name: string): string | undefined {
  const match = /^blob-([a-z0-9]+)-([a-f0-9]+)$/.exec(name);
  return match ? `${match[1]}:${match[2]}` : undefined;
}
