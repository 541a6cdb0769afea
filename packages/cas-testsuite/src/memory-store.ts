import { Readable } from 'node:stream';
import type {
  BlobRead,
  BlobStat,
  BlobWriter,
  CommitResult,
  ContentStore,
  Expected,
  FsckOptions,
  FsckReport,
  GcOptions,
  GcReport,
  IngestStatus,
  ReadOptions,
  StoreAdmin,
  StoreStats,
  WriterOptions,
} from '@strata/cas';
import { Digester, parseDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import { ByteList } from './byte-list.ts';

/** Largest piece a read body yields, like a file-backed store's read size. */
const READ_PIECE_BYTES = 64 * 1024;

interface StoredBlob {
  stat: BlobStat;
  content: ByteList;
}

interface Ingest {
  ref: string;
  expected: Expected;
  content: ByteList;
  /** sha256 of the content so far; other algorithms are hashed at commit. */
  digester: Digester;
  startedAt: Date;
  updatedAt: Date;
  /** The writer holding the ref, and since when; none while the write is released. */
  holder?: { token: symbol; since: number };
}

function cancelled(): StrataError {
  return new StrataError('Cancelled', 'read cancelled');
}

function checkDigest(digest: string): string {
  parseDigest(digest);
  return digest;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw new StrataError('InvalidArgument', `${name} must be a non-negative integer, got ${value}`, {
      details: { [name]: value },
    });
  }
}

function checkExpected(expected: Expected | undefined): Expected {
  if (expected === undefined) return {};
  if (expected.digest !== undefined) checkDigest(expected.digest);
  checkCount(expected.size, 'size');
  const checked: Expected = {};
  if (expected.digest !== undefined) checked.digest = expected.digest;
  if (expected.size !== undefined) checked.size = expected.size;
  return checked;
}

function copyStat(stat: BlobStat): BlobStat {
  return { digest: stat.digest, size: stat.size, createdAt: new Date(stat.createdAt) };
}

function statusOf(ingest: Ingest): IngestStatus {
  return {
    ref: ingest.ref,
    offset: ingest.content.length,
    expected: { ...ingest.expected },
    startedAt: new Date(ingest.startedAt),
    updatedAt: new Date(ingest.updatedAt),
  };
}

function hashContent(content: ByteList, algorithm: 'sha256' | 'sha512'): string {
  const digester = new Digester(algorithm);
  for (const piece of content.pieces()) digester.update(piece);
  return digester.digest();
}

/**
 * A ContentStore that keeps everything in memory, with the semantics and
 * error codes of the real engine: for tests of callers, and as the reference
 * the conformance suite is checked against.
 */
class MemoryStore implements ContentStore, StoreAdmin {
  readonly #blobs = new Map<string, StoredBlob>();
  readonly #ingests = new Map<string, Ingest>();
  #closed = false;

  async read(digest: string, options: ReadOptions = {}): Promise<BlobRead> {
    this.#checkOpen();
    checkDigest(digest);
    checkCount(options.offset, 'offset');
    checkCount(options.length, 'length');
    if (options.signal?.aborted) throw cancelled();
    const blob = this.#blob(digest);
    const offset = options.offset ?? 0;
    if (offset > blob.stat.size) {
      throw new StrataError('OutOfRange', `offset ${offset} is past the end of ${digest} (${blob.stat.size} bytes)`, {
        details: { digest, offset, size: blob.stat.size },
      });
    }
    const length = Math.min(options.length ?? blob.stat.size, blob.stat.size - offset);
    return {
      stat: copyStat(blob.stat),
      offset,
      length,
      body: readableWithSignal(blob.content.range(offset, length, READ_PIECE_BYTES), options.signal),
    };
  }

  async stat(digest: string): Promise<BlobStat> {
    this.#checkOpen();
    checkDigest(digest);
    return copyStat(this.#blob(digest).stat);
  }

  async findMissing(digests: readonly string[]): Promise<string[]> {
    this.#checkOpen();
    for (const digest of digests) checkDigest(digest);
    return digests.filter((digest) => !this.#blobs.has(digest));
  }

  async writer(ref: string, options: WriterOptions = {}): Promise<BlobWriter> {
    this.#checkOpen();
    if (typeof ref !== 'string' || ref === '') throw new StrataError('InvalidArgument', 'a write needs a non-empty ref');
    const expected = checkExpected(options.expected);
    let ingest = this.#ingests.get(ref);
    if (ingest?.holder) {
      const heldForMs = Date.now() - ingest.holder.since;
      throw new StrataError('Unavailable', `ref ${ref} is held by another writer`, { details: { ref, heldForMs } });
    }
    if (ingest === undefined) {
      const now = new Date();
      ingest = { ref, expected, content: new ByteList(), digester: new Digester(), startedAt: now, updatedAt: now };
      this.#ingests.set(ref, ingest);
    } else {
      ingest.expected = { ...ingest.expected, ...expected };
    }
    const token = Symbol(ref);
    ingest.holder = { token, since: Date.now() };
    return this.#writerFor(ingest, token);
  }

  async status(ref: string): Promise<IngestStatus> {
    this.#checkOpen();
    const ingest = this.#ingests.get(ref);
    if (ingest === undefined) throw new StrataError('NotFound', `no write in progress under ref ${ref}`, { details: { ref } });
    return statusOf(ingest);
  }

  async listIngests(): Promise<IngestStatus[]> {
    this.#checkOpen();
    return [...this.#ingests.values()].sort((a, b) => (a.ref < b.ref ? -1 : 1)).map(statusOf);
  }

  async abortIngest(ref: string): Promise<void> {
    this.#checkOpen();
    this.#ingests.delete(ref);
  }

  async delete(digest: string): Promise<void> {
    this.#checkOpen();
    checkDigest(digest);
    this.#blob(digest);
    this.#blobs.delete(digest);
  }

  list(options: { signal?: AbortSignal } = {}): AsyncIterable<BlobStat> {
    return this.#list(options.signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#ingests.clear();
  }

  async stats(): Promise<StoreStats> {
    this.#checkOpen();
    const blobs = this.#blobs.size;
    let logicalBytes = 0;
    for (const blob of this.#blobs.values()) logicalBytes += blob.stat.size;
    // Nothing is shared or compressed: every blob is one chunk stored as it is.
    return {
      blobs,
      chunks: blobs,
      logicalBytes,
      uniqueBytes: logicalBytes,
      storedBytes: logicalBytes,
      dedupRatio: blobs > 0 ? 1 : 0,
      garbageChunks: 0,
      garbageBytes: 0,
      packs: 0,
    };
  }

  async fsck(options: FsckOptions = {}): Promise<FsckReport> {
    this.#checkOpen();
    const blobs = [...this.#blobs.values()];
    const report: FsckReport = { ok: true, chunksChecked: 0, blobsChecked: 0, damage: [], damagedBlobs: [] };
    for (const blob of blobs) {
      if (options.signal?.aborted) throw new StrataError('Cancelled', 'fsck cancelled');
      const { digest, size } = blob.stat;
      if (blob.content.length !== size || hashContent(blob.content, parseDigest(digest).algorithm) !== digest) {
        report.damage.push({ kind: 'blob', id: digest, problem: 'content does not match its digest' });
        report.damagedBlobs.push(digest);
      }
      report.chunksChecked++;
      report.blobsChecked++;
      options.onProgress?.({ done: report.blobsChecked, total: blobs.length, phase: 'blobs' });
    }
    report.ok = report.damage.length === 0;
    return report;
  }

  /**
   * A delete frees its blob at once, so there is never garbage to collect:
   * the report says nothing was reclaimed, dry run or not.
   */
  async collectGarbage(options: GcOptions = {}): Promise<GcReport> {
    this.#checkOpen();
    if (options.signal?.aborted) throw new StrataError('Cancelled', 'garbage collection cancelled');
    options.onProgress?.({ done: 0, total: 0, phase: 'sweep' });
    return { dryRun: options.dryRun === true, chunksSwept: 0, packsCompacted: 0, packsDeleted: 0, bytesCopied: 0, bytesReclaimed: 0, durationMs: 0 };
  }

  async *#list(signal: AbortSignal | undefined): AsyncGenerator<BlobStat> {
    this.#checkOpen();
    const digests = [...this.#blobs.keys()].sort();
    for (const digest of digests) {
      if (signal?.aborted) throw new StrataError('Cancelled', 'list cancelled');
      const blob = this.#blobs.get(digest);
      if (blob !== undefined) yield copyStat(blob.stat);
    }
  }

  #blob(digest: string): StoredBlob {
    const blob = this.#blobs.get(digest);
    if (blob === undefined) throw new StrataError('NotFound', `blob ${digest} not found`, { details: { digest } });
    return blob;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('FailedPrecondition', 'the store is closed');
  }

  #writerFor(ingest: Ingest, token: symbol): BlobWriter {
    const ingests = this.#ingests;
    const blobs = this.#blobs;
    const checkOpen = () => this.#checkOpen();
    // The ingest this writer may act on: still open, and still held by it.
    const held = (): Ingest => {
      checkOpen();
      if (ingests.get(ingest.ref) !== ingest || ingest.holder?.token !== token) {
        throw new StrataError('FailedPrecondition', `the writer for ref ${ingest.ref} is closed or its write has ended`, {
          details: { ref: ingest.ref },
        });
      }
      return ingest;
    };
    const end = () => {
      if (ingests.get(ingest.ref) === ingest) ingests.delete(ingest.ref);
    };
    let lastOffset = ingest.content.length;

    return {
      ref: ingest.ref,
      get offset() {
        return lastOffset;
      },
      async write(bytes: Uint8Array, at?: number): Promise<void> {
        const current = held();
        const offset = current.content.length;
        if (at !== undefined && at !== offset) {
          throw new StrataError('OutOfRange', `write at ${at} but the write of ${current.ref} is at ${offset}`, {
            details: { ref: current.ref, offset, at },
          });
        }
        const limit = current.expected.size;
        if (limit !== undefined && offset + bytes.byteLength > limit) {
          throw new StrataError('OutOfRange', `write of ${current.ref} would exceed its expected ${limit} bytes`, {
            details: { ref: current.ref, offset, size: limit },
          });
        }
        current.content.append(bytes);
        current.digester.update(bytes);
        current.updatedAt = new Date();
        lastOffset = current.content.length;
      },
      async commit(expected?: Expected): Promise<CommitResult> {
        const current = held();
        const wanted = { ...current.expected, ...checkExpected(expected) };
        const size = current.content.length;
        if (wanted.size !== undefined && wanted.size !== size) {
          end();
          throw new StrataError('SizeMismatch', `wrote ${size} bytes, expected ${wanted.size}`, {
            details: { ref: current.ref, expected: wanted.size, actual: size },
          });
        }
        const algorithm = wanted.digest === undefined ? 'sha256' : parseDigest(wanted.digest).algorithm;
        const digest =
          algorithm === 'sha256' ? current.digester.copy().digest() : hashContent(current.content, algorithm);
        if (wanted.digest !== undefined && wanted.digest !== digest) {
          end();
          throw new StrataError('DigestMismatch', `content is ${digest}, expected ${wanted.digest}`, {
            details: { ref: current.ref, expected: wanted.digest, actual: digest },
          });
        }
        end();
        if (blobs.has(digest)) return { digest, size, created: false };
        blobs.set(digest, { stat: { digest, size, createdAt: new Date() }, content: current.content });
        return { digest, size, created: true };
      },
      async abort(): Promise<void> {
        if (ingest.holder?.token === token) end();
      },
      async close(): Promise<void> {
        if (ingest.holder?.token === token) delete ingest.holder;
      },
    };
  }
}

/**
 * A body that yields `pieces` with backpressure and, when `signal` aborts,
 * fails with Cancelled and stops producing.
 */
function readableWithSignal(pieces: Iterable<Buffer>, signal: AbortSignal | undefined): Readable {
  const body = Readable.from(pieces, { objectMode: false, highWaterMark: READ_PIECE_BYTES });
  if (signal !== undefined) {
    const onAbort = () => body.destroy(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    body.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return body;
}

/** A fresh, empty in-memory store playing every role, admin included. */
export function createMemoryStore(): ContentStore & StoreAdmin {
  return new MemoryStore();
}
