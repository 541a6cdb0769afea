import { Readable } from 'node:stream';
import { StrataError } from '@strata/errors';
import { decodeChunk } from './chunk-codec.ts';
import type { EngineCore } from './engine-core.ts';
import type { ChunkEntry } from './layout.ts';
import { decodeRecipe, RecipeKind, type PayloadRef, type Recipe, type RecipeChunks } from './recipe.ts';
import { loadPackedBytes } from './recipe-records.ts';
import { expandedBytes, type PlaintextSource } from './expanded-read.ts';
import { digestBytes, parseDigest } from '@strata/digest';

// Neighbouring chunks of one pack are read with one call, up to this many bytes...
const MAX_SPAN_BYTES = 4 * 1024 * 1024;
// ...when at most this many bytes (record heads) lie between them.
const MAX_GAP_BYTES = 4096;
// Chunks located with one index lookup (one round trip to a remote index).
const LOCATE_BATCH = 256;

interface Span {
  packId: number;
  start: number;
  end: number;
  chunks: { index: number; digest: Buffer; entry: Omit<ChunkEntry, 'refs'> }[];
}

/**
 * The bytes [offset, offset + length) of a blob as a stream. Chunks are
 * read in spans (neighbours in a pack in one read), one span ahead of the
 * consumer, and every chunk is checked against its digest before a byte of
 * it is passed on.
 */
export function readRecipe(
  core: EngineCore,
  digest: string,
  recipe: Recipe,
  offset: number,
  length: number,
  locate: ChunkLocator = (chunks) => core.index.getChunks(chunks),
): Readable {
  if (recipe.kind === RecipeKind.Inline) {
    return Readable.from(length === 0 ? [] : [recipe.data.subarray(offset, offset + length)], { objectMode: false });
  }
  if (recipe.kind === RecipeKind.Packed) {
    return Readable.from(packedBytes(core, digest, recipe.ref, offset, length), { objectMode: false });
  }
  if (recipe.kind === RecipeKind.Expanded) {
    const source: PlaintextSource = {
      plaintext: (from, count) => chunkedBytes(core, digest, recipe.layer.plain, from, count, locate),
      chunk: async (chunk) => {
        const [entry] = await locate([chunk]);
        if (!entry) throw missingChunk(digest, chunk);
        return readChunk(core, chunk, entry);
      },
      pool: core.rebuilds.pool,
    };
    return Readable.from(expandedBytes(digest, recipe.size, recipe.layer, offset, length, source), { objectMode: false });
  }
  return Readable.from(chunkedBytes(core, digest, recipe.chunks, offset, length, locate), { objectMode: false });
}

/**
 * Where chunks lie, in the order asked: the index by default; chunks not
 * indexed yet (an expansion being checked) are found by their writer.
 */
export type ChunkLocator = (digests: readonly Buffer[]) => Promise<(Omit<ChunkEntry, 'refs'> | undefined)[]>;

// A small blob is checked against its own digest before any of it is passed on.
async function* packedBytes(core: EngineCore, digest: string, ref: PayloadRef, offset: number, length: number): AsyncGenerator<Buffer> {
  const data = await loadPackedBlob(core, digest, ref);
  if (digestBytes(data, parseDigest(digest).algorithm) !== digest) {
    throw new StrataError('DataLoss', `blob ${digest} is damaged`, { details: { blobs: [digest] } });
  }
  if (length > 0) yield data.subarray(offset, offset + length);
}

/** Ends `stream` with a Cancelled error when `signal` aborts. */
export function withSignal(stream: Readable, signal: AbortSignal | undefined): Readable {
  if (!signal) return stream;
  const onAbort = () => stream.destroy(new StrataError('Cancelled', 'read cancelled'));
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return stream;
}

async function* chunkedBytes(
  core: EngineCore,
  digest: string,
  chunks: RecipeChunks,
  offset: number,
  length: number,
  locate: ChunkLocator,
): AsyncGenerator<Buffer> {
  if (length === 0) return;
  const end = offset + length;
  const ends = chunks.ends();
  const first = chunks.indexAt(offset);
  const last = chunks.indexAt(end - 1);
  const spans = planSpans(locate, digest, chunks, first, last);
  let next = await spans.next();
  let ahead = next.done ? undefined : fetchSpan(core, next.value);
  while (ahead) {
    const current = await ahead;
    next = await spans.next();
    ahead = next.done ? undefined : fetchSpan(core, next.value);
    // Errors of a span read ahead are surfaced when it is awaited.
    ahead?.catch(() => {});
    for (const { index, raw } of current) {
      const chunkStart = index === 0 ? 0 : ends[index - 1]!;
      const from = Math.max(offset - chunkStart, 0);
      const to = Math.min(end - chunkStart, raw.byteLength);
      yield from === 0 && to === raw.byteLength ? raw : raw.subarray(from, to);
    }
  }
}

function missingChunk(digest: string, chunk: Buffer): StrataError {
  return new StrataError('DataLoss', `blob ${digest} refers to missing chunk ${chunk.toString('hex')}`, {
    details: { blobs: [digest], chunk: chunk.toString('hex') },
  });
}

async function* planSpans(locate: ChunkLocator, digest: string, chunks: RecipeChunks, first: number, last: number): AsyncGenerator<Span> {
  let span: Span | undefined;
  let located: { from: number; entries: (Omit<ChunkEntry, 'refs'> | undefined)[] } = { from: first, entries: [] };
  for (let index = first; index <= last; index++) {
    const chunkDigest = chunks.digest(index);
    if (index - located.from >= located.entries.length) {
      const digests: Buffer[] = [];
      for (let at = index; at <= Math.min(last, index + LOCATE_BATCH - 1); at++) digests.push(chunks.digest(at));
      located = { from: index, entries: await locate(digests) };
    }
    const entry = located.entries[index - located.from];
    if (!entry) throw missingChunk(digest, chunkDigest);
    const entryEnd = entry.payloadOffset + entry.storedLength;
    if (
      span &&
      span.packId === entry.packId &&
      entry.payloadOffset >= span.end &&
      entry.payloadOffset - span.end <= MAX_GAP_BYTES &&
      entryEnd - span.start <= MAX_SPAN_BYTES
    ) {
      span.end = entryEnd;
      span.chunks.push({ index, digest: chunkDigest, entry });
      continue;
    }
    if (span) yield span;
    span = { packId: entry.packId, start: entry.payloadOffset, end: entryEnd, chunks: [{ index, digest: chunkDigest, entry }] };
  }
  if (span) yield span;
}

/**
 * The bytes of a small blob kept in a pack. Compaction may have moved the
 * record (and removed its pack) since `ref` was looked up: then the index
 * says where it is now.
 */
export async function loadPackedBlob(core: EngineCore, digest: string, ref: PayloadRef): Promise<Buffer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadPackedBytes(core, ref);
    } catch (error) {
      const bytes = await core.index.getRecipe(digest);
      const now = bytes ? decodeRecipe(bytes) : undefined;
      if (attempt >= MAX_MOVES || now?.kind !== RecipeKind.Packed || sameRecord(now.ref, ref)) throw error;
      ref = now.ref;
    }
  }
}

/**
 * A chunk's raw bytes, checked against its digest. Compaction may have
 * moved the chunk (and removed its pack) since `entry` was looked up: then
 * the index says where it is now.
 */
export function readChunk(core: EngineCore, digest: Buffer, entry: Omit<ChunkEntry, 'refs'>): Promise<Buffer> {
  return followingMoves(core, digest, entry, async (at) => decodeChunk(await core.packs.read(at.packId, at.payloadOffset, at.storedLength), at.codec, at.rawLength, digest));
}

/**
 * A chunk's payload as stored (its zstd frame, or its raw bytes), not
 * decoded nor checked: for a reader that decodes and checks it itself.
 */
export function readChunkPayload(core: EngineCore, digest: Buffer, entry: Omit<ChunkEntry, 'refs'>): Promise<{ payload: Buffer; entry: Omit<ChunkEntry, 'refs'> }> {
  return followingMoves(core, digest, entry, async (at) => ({ payload: await core.packs.read(at.packId, at.payloadOffset, at.storedLength), entry: at }));
}

/** Runs `read` on a chunk's record, and again on its new record when a compaction moved it meanwhile. */
async function followingMoves<T>(core: EngineCore, digest: Buffer, entry: Omit<ChunkEntry, 'refs'>, read: (entry: Omit<ChunkEntry, 'refs'>) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read(entry);
    } catch (error) {
      const now = await core.index.getChunk(digest);
      if (attempt >= MAX_MOVES || !now || sameRecord(now, entry)) throw error;
      entry = now;
    }
  }
}

// A record moves once per compaction; more moves during one read mean something else is wrong.
const MAX_MOVES = 3;

function sameRecord(a: { packId: number; payloadOffset: number }, b: { packId: number; payloadOffset: number }): boolean {
  return a.packId === b.packId && a.payloadOffset === b.payloadOffset;
}

async function fetchSpan(core: EngineCore, span: Span): Promise<{ index: number; raw: Buffer }[]> {
  let bytes: Buffer;
  try {
    bytes = await core.packs.read(span.packId, span.start, span.end - span.start);
  } catch (error) {
    const now = await core.index.getChunks(span.chunks.map(({ digest }) => digest));
    const moved = span.chunks.some(({ entry }, i) => now[i] !== undefined && !sameRecord(now[i]!, entry));
    if (!moved) throw error;
    return Promise.all(span.chunks.map(async ({ index, digest, entry }) => ({ index, raw: await readChunk(core, digest, entry) })));
  }
  return span.chunks.map(({ index, digest, entry }) => {
    const at = entry.payloadOffset - span.start;
    return { index, raw: decodeChunk(bytes.subarray(at, at + entry.storedLength), entry.codec, entry.rawLength, digest) };
  });
}
