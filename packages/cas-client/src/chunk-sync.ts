import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, writeFile } from 'node:fs/promises';
import type { BlobReader, BlobRecipe, ChunkData, ChunkingParams, ChunkTransfer, CommitResult, LeaseManager } from '@strata/cas';
import { rebuildExpandedBlob } from '@strata/cas/codecs';
import { chunkStream, tarChunkStream, type ChunkerOptions } from '@strata/chunker';
import { StrataError } from '@strata/errors';

/** Bytes of chunk data sent per putChunks call. */
const PUT_BATCH_BYTES = 4 * 1024 * 1024;
/** Chunk digests per FindMissingChunks call. */
const FIND_BATCH = 4096;
/** Leases protecting a push live this long when the push is interrupted. */
const PUSH_LEASE_TTL_MS = 60 * 60 * 1000;

export interface ChunkedFile {
  digest: string;
  size: number;
  chunks: { digest: string; length: number; offset: number }[];
}

function chunkerOptions(params: ChunkingParams): ChunkerOptions {
  return { minSize: params.minSize, avgSize: params.avgSize, maxSize: params.maxSize };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ChunkFileOptions {
  signal?: AbortSignal;
  /**
   * Cut at tar member boundaries where the chunking allows, as the store
   * cuts the content of an expanded layer: for an uncompressed layer tar
   * that is to share chunks with expanded layers.
   */
  tar?: boolean;
}

/** Cuts a local file with `chunking` and hashes it: its blob digest and its chunk list. */
export async function chunkFile(path: string, chunking: ChunkingParams, options: ChunkFileOptions = {}): Promise<ChunkedFile> {
  const whole = createHash('sha256');
  const chunks: ChunkedFile['chunks'] = [];
  let offset = 0;
  const input = createReadStream(path, { highWaterMark: 1024 * 1024, signal: options.signal });
  const cut = options.tar ? tarChunkStream(input, chunkerOptions(chunking)) : chunkStream(input, chunkerOptions(chunking));
  for await (const chunk of cut) {
    whole.update(chunk);
    chunks.push({ digest: sha256Hex(chunk), length: chunk.byteLength, offset });
    offset += chunk.byteLength;
  }
  return { digest: `sha256:${whole.digest('hex')}`, size: offset, chunks };
}

export interface PushReport extends CommitResult {
  chunks: number;
  /** Chunks the store lacked, and their bytes: all that was sent of the content. */
  missingChunks: number;
  bytesSent: number;
}

/**
 * Stores a local file as a blob, sending only the chunks the store lacks:
 * cut the file the store's way, FindMissingChunks, PutChunks of the missing
 * ones under a lease (so collection cannot take them before the recipe
 * names them), then CommitRecipe.
 */
export async function pushFileByChunks(
  store: ChunkTransfer & LeaseManager,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<PushReport> {
  const chunking = await store.chunking();
  const file = await chunkFile(path, chunking, { signal: options.signal });
  const lease = await store.createLease({ ttlMs: PUSH_LEASE_TTL_MS, labels: { purpose: 'chunk push' } });
  try {
    const unique = [...new Set(file.chunks.map((chunk) => chunk.digest))];
    const missing = new Set<string>();
    for (let start = 0; start < unique.length; start += FIND_BATCH) {
      for (const digest of await store.findMissingChunks(unique.slice(start, start + FIND_BATCH))) missing.add(digest);
    }
    const missingChunks = missing.size;
    let bytesSent = 0;
    if (missing.size > 0) {
      // A second pass over the file sends the missing chunks without holding the file in memory.
      let batch: ChunkData[] = [];
      let batchBytes = 0;
      for await (const chunk of chunkStream(createReadStream(path, { highWaterMark: 1024 * 1024, signal: options.signal }), chunkerOptions(chunking))) {
        const digest = sha256Hex(chunk);
        if (!missing.delete(digest)) continue;
        batch.push({ digest, data: chunk });
        batchBytes += chunk.byteLength;
        if (batchBytes >= PUT_BATCH_BYTES) {
          await store.putChunks(batch, { lease: lease.id });
          bytesSent += batchBytes;
          batch = [];
          batchBytes = 0;
        }
      }
      if (batch.length > 0) {
        await store.putChunks(batch, { lease: lease.id });
        bytesSent += batchBytes;
      }
      if (missing.size > 0) throw new StrataError('Aborted', `${path} changed while it was pushed`, { details: { path } });
    }
    const result = await store.commitRecipe(
      { digest: file.digest, size: file.size },
      file.chunks.map(({ digest, length }) => ({ digest, length })),
      { lease: lease.id },
    );
    return { ...result, chunks: file.chunks.length, missingChunks, bytesSent };
  } finally {
    await store.releaseLease(lease.id).catch(() => {});
  }
}

/** Chunks held locally, by raw sha256 hex. */
export interface LocalChunkSource {
  /** The chunk's bytes, checked against its digest; undefined when not held (or no longer intact). */
  get(digest: string): Promise<Uint8Array | undefined>;
  /** Whether the chunk is held, without reading it; without it, a pull asks `get` and reads held chunks twice. */
  has?(digest: string): boolean | Promise<boolean>;
}

/**
 * The chunks of a local file cut with the store's chunking: a pull of a
 * blob that shares content with it takes those chunks from the file. With
 * `tar`, cut as the store cuts expanded layers (give layer tars so).
 */
export async function fileChunkSource(
  path: string,
  chunking: ChunkingParams,
  options: { tar?: boolean } = {},
): Promise<LocalChunkSource & { has(digest: string): boolean; close(): Promise<void> }> {
  const file = await chunkFile(path, chunking, options);
  const where = new Map(file.chunks.map((chunk) => [chunk.digest, chunk] as const));
  const handle = await open(path, 'r');
  return {
    has: (digest) => where.has(digest),
    async get(digest) {
      const chunk = where.get(digest);
      if (!chunk) return undefined;
      const bytes = Buffer.alloc(chunk.length);
      const { bytesRead } = await handle.read(bytes, 0, chunk.length, chunk.offset);
      // A file changed since it was indexed is no source for this chunk.
      if (bytesRead !== chunk.length || sha256Hex(bytes) !== digest) return undefined;
      return bytes;
    },
    close: () => handle.close(),
  };
}

export interface PullReport {
  digest: string;
  size: number;
  /** Bytes taken from the local source, and bytes fetched from the store. */
  reusedBytes: number;
  bytesReceived: number;
  /** Set for an expanded layer: rebuilt here from its uncompressed content. */
  rebuilt?: { codec: string; plainSize: number };
}

export interface PullOptions {
  signal?: AbortSignal;
  /** Worker threads that rebuild an expanded gzip layer (default one per core; 0: on this thread). */
  rebuildThreads?: number;
}

/**
 * Writes blob `digest` to the file `to`, taking every chunk `local` has from
 * it and fetching only the others (ReadChunks, a batch at a time, so memory
 * stays bounded whatever the blob's size). An expanded layer is rebuilt
 * from its uncompressed content's chunks (so `local` gives them from layer
 * tars, see fileChunkSource's `tar`) and its corrections. The result is
 * checked against the digest: DataLoss if it does not match (the file is
 * removed).
 */
export async function pullByChunks(
  store: ChunkTransfer & BlobReader,
  digest: string,
  local: LocalChunkSource,
  to: string,
  options: PullOptions = {},
): Promise<PullReport> {
  const recipe = await store.getRecipe(digest);
  if (recipe.expanded) return pullExpanded(store, recipe, recipe.expanded, local, to, options);
  if (recipe.inline) {
    const read = await store.read(digest, options.signal ? { signal: options.signal } : {});
    const pieces: Buffer[] = [];
    for await (const piece of read.body) pieces.push(piece as Buffer);
    await writeFile(to, Buffer.concat(pieces));
    return { digest: recipe.digest, size: recipe.size, reusedBytes: 0, bytesReceived: recipe.size };
  }
  const counts = { reusedBytes: 0, bytesReceived: 0 };
  const written = await writeChecked(recipe, to, chunksInOrder(store, recipe.chunks, local, counts, options.signal));
  return { digest: recipe.digest, size: written, ...counts };
}

async function pullExpanded(
  store: ChunkTransfer,
  recipe: BlobRecipe,
  expanded: NonNullable<BlobRecipe['expanded']>,
  local: LocalChunkSource,
  to: string,
  options: PullOptions,
): Promise<PullReport> {
  const counts = { reusedBytes: 0, bytesReceived: 0 };
  const corrections: Uint8Array[] = [];
  for await (const piece of chunksInOrder(store, expanded.corrections, local, counts, options.signal)) corrections.push(piece);
  const plaintext = chunksInOrder(store, expanded.plain, local, counts, options.signal);
  const threads = options.rebuildThreads === undefined ? {} : { threads: options.rebuildThreads };
  await writeChecked(recipe, to, rebuildExpandedBlob(expanded, Buffer.concat(corrections), plaintext, threads));
  return { digest: recipe.digest, size: recipe.size, ...counts, rebuilt: { codec: expanded.codec, plainSize: expanded.plainSize } };
}

/**
 * The bytes of the chunks `refs` names, in order: those `local` holds read
 * as they come, the others fetched from the store a batch of about
 * FETCH_BATCH_BYTES ahead. A fetched chunk is kept only until its last use.
 * A chunk `local` said it held but no longer gives is fetched instead.
 */
async function* chunksInOrder(
  store: ChunkTransfer,
  refs: readonly { digest: string; length: number }[],
  local: LocalChunkSource,
  counts: { reusedBytes: number; bytesReceived: number },
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const held = new Map<string, boolean>();
  const usesLeft = new Map<string, number>();
  for (const { digest } of refs) {
    usesLeft.set(digest, (usesLeft.get(digest) ?? 0) + 1);
    if (!held.has(digest)) held.set(digest, local.has ? await local.has(digest) : (await local.get(digest)) !== undefined);
  }
  const fetched = new Map<string, Uint8Array>();
  const fetch = async (digests: string[]): Promise<void> => {
    for await (const chunk of store.readChunks(digests, signal ? { signal } : {})) {
      fetched.set(chunk.digest, chunk.data);
      counts.bytesReceived += chunk.data.byteLength;
    }
  };
  for (const [at, { digest }] of refs.entries()) {
    let bytes = fetched.get(digest);
    if (!bytes && held.get(digest)) {
      bytes = await local.get(digest);
      if (bytes) counts.reusedBytes += bytes.byteLength;
      else held.set(digest, false);
    }
    if (!bytes) {
      await fetch(nextBatch(refs, at, held, fetched));
      bytes = fetched.get(digest);
      if (!bytes) throw new StrataError('DataLoss', `chunk ${digest} was not delivered`, { details: { chunk: digest } });
    }
    const left = usesLeft.get(digest)! - 1;
    usesLeft.set(digest, left);
    if (left === 0) fetched.delete(digest);
    yield bytes;
  }
}

/** Chunks of ReadChunks asked at once: about this many bytes held in memory ahead of the writer. */
const FETCH_BATCH_BYTES = 16 * 1024 * 1024;

/** The chunks to fetch from `refs[from]` on: not held locally, not fetched yet, about FETCH_BATCH_BYTES of them. */
function nextBatch(refs: readonly { digest: string; length: number }[], from: number, held: Map<string, boolean>, fetched: Map<string, Uint8Array>): string[] {
  const batch = new Set<string>();
  let bytes = 0;
  for (let at = from; at < refs.length && (batch.size === 0 || bytes < FETCH_BATCH_BYTES); at++) {
    const { digest, length } = refs[at]!;
    if (held.get(digest) || fetched.has(digest) || batch.has(digest)) continue;
    batch.add(digest);
    bytes += length;
  }
  return [...batch];
}

/** Writes `pieces` to `to` and checks them against the blob's digest and size; removes the file and throws DataLoss if they differ. */
async function writeChecked(recipe: BlobRecipe, to: string, pieces: AsyncIterable<Uint8Array>): Promise<number> {
  const output = await open(to, 'w');
  const whole = createHash(recipe.digest.startsWith('sha512:') ? 'sha512' : 'sha256');
  let size = 0;
  try {
    for await (const piece of pieces) {
      whole.update(piece);
      size += piece.byteLength;
      await output.write(piece);
    }
  } catch (error) {
    await output.close();
    await rm(to, { force: true });
    throw error;
  }
  await output.close();
  const actual = `${recipe.digest.split(':')[0]}:${whole.digest('hex')}`;
  if (actual !== recipe.digest || size !== recipe.size) {
    await rm(to, { force: true });
    throw new StrataError('DataLoss', `pulled content of ${recipe.digest} hashes to ${actual} (${size} bytes)`, { details: { digest: recipe.digest, actual } });
  }
  return size;
}
