import { Readable } from 'node:stream';
import { Digester, parseDigest, sha256Raw } from '@strata/digest';
import { StrataError } from '@strata/errors';
import { chunkDigest, decodeChunk } from './chunk-codec.ts';
import type { BlobRecipe, ChunkData, CommitResult } from './content-store.ts';
import { pinIfIndexed, type EngineCore } from './engine-core.ts';
import { countUses } from './index-db.ts';
import type { ChunkEntry } from './layout.ts';
import { Codec, RecordType, type RecordFields } from './pack-format.ts';
import { readChunk, readChunkPayload, readRecipe } from './read-path.ts';
import { appendRecipe } from './recipe-records.ts';
import { decodeRecipe, encodeChunkedRecipe, encodeInlineRecipe, LayerCodec, RecipeKind, RecipeChunks, encodeChunkList } from './recipe.ts';


/**
 * A blob's chunk list for chunk-aware transfer. Small blobs have none: they
 * answer `inline` and are read whole. Expanded layers answer `inline` too
 * (their chunks are of the uncompressed content, not of the blob's bytes)
 * and describe how to rebuild them from those chunks in `expanded`.
 */
export function recipeOf(core: EngineCore, digest: string, bytes: Buffer): BlobRecipe {
  const recipe = decodeRecipe(bytes);
  if (recipe.kind === RecipeKind.Expanded) {
    const { layer } = recipe;
    return {
      digest,
      size: recipe.size,
      inline: true,
      chunks: [],
      expanded: {
        codec: layer.codec === LayerCodec.Gzip ? 'gzip' : 'zstd',
        params: layer.params,
        plainSize: layer.plainSize,
        plain: chunkList(layer.plain),
        corrections: chunkList(layer.corrections),
      },
    };
  }
  if (recipe.kind !== RecipeKind.Chunked) return { digest, size: recipe.size, inline: true, chunks: [] };
  return { digest, size: recipe.size, inline: false, chunks: chunkList(recipe.chunks) };
}

function chunkList(chunks: RecipeChunks): { digest: string; length: number }[] {
  return [...chunks].map(({ digest, length }) => ({ digest: digest.toString('hex'), length }));
}

/**
 * Stores chunks the index lacks (as garbage until a recipe uses them) and
 * returns all their digests. The chunks are pinned while this runs, so those
 * already indexed are not swept before the lease takes them.
 */
export async function putChunks(core: EngineCore, chunks: readonly ChunkData[], lease: string | undefined): Promise<string[]> {
  const { index, pool, packWriter, pins, unindexed } = core;
  const digests: string[] = [];
  const fresh: { digest: Buffer; data: Uint8Array }[] = [];
  const known: Buffer[] = [];
  const seen = new Set<string>();
  for (const { digest: claimed, data } of chunks) {
    if (!(data instanceof Uint8Array)) throw new StrataError('InvalidArgument', 'chunk data must be bytes');
    if (data.byteLength === 0 || data.byteLength > core.settings.chunker.maxSize) {
      throw new StrataError('InvalidArgument', `a chunk is 1 to ${core.settings.chunker.maxSize} bytes, not ${data.byteLength}`);
    }
    const hex = sha256Raw(data).toString('hex');
    if (claimed !== undefined && chunkDigest(claimed).toString('hex') !== hex) {
      throw new StrataError('DigestMismatch', `chunk content hashes to ${hex}, not ${claimed}`, {
        details: { expected: claimed, actual: hex },
      });
    }
    digests.push(hex);
  }
  const token = unindexed.begin(packWriter.openPackId);
  try {
    const unseen: { digest: Buffer; data: Uint8Array }[] = [];
    chunks.forEach(({ data }, i) => {
      const hex = digests[i]!;
      if (seen.has(hex)) return;
      seen.add(hex);
      unseen.push({ digest: Buffer.from(hex, 'hex'), data });
    });
    const indexed = await pinIfIndexed(core, unseen.map(({ digest }) => digest));
    unseen.forEach((chunk, i) => {
      if (indexed[i]) known.push(chunk.digest);
      else fresh.push(chunk);
    });
    const stored = fresh.length === 0 ? [] : await pool.compress(fresh.map((chunk) => chunk.data));
    const records: RecordFields[] = stored.map((payload, i) => ({
      type: RecordType.Chunk,
      codec: payload.codec as Codec,
      key: fresh[i]!.digest,
      rawLength: fresh[i]!.data.byteLength,
      payload: payload.payload,
    }));
    const placed = records.length === 0 ? [] : await packWriter.append(records);
    const durable = await packWriter.sync();
    await index.addChunks(
      placed.map((where, i) => ({
        digest: fresh[i]!.digest,
        location: { ...where, rawLength: fresh[i]!.data.byteLength, codec: stored[i]!.codec },
      })),
      durable,
      lease,
    );
    // Chunks that were already there are held by the lease too.
    if (lease !== undefined && known.length > 0) {
      const entries = await index.getChunks(known);
      await index.addChunks(
        known.map((digest, i) => ({ digest, location: entries[i]! })),
        durable,
        lease,
      );
    }
  } finally {
    unindexed.end(token);
    for (const hex of seen) pins.release(hex);
  }
  return digests;
}

export async function* readChunks(core: EngineCore, digests: readonly string[], signal?: AbortSignal): AsyncGenerator<{ digest: string; data: Buffer }> {
  for await (const { key, hex, entry } of indexedChunks(core, digests, signal)) yield { digest: hex, data: await readChunk(core, key, entry) };
}

/** Each chunk's index entry, in the order asked; NotFound at the first the store lacks. */
async function* indexedChunks(core: EngineCore, digests: readonly string[], signal?: AbortSignal): AsyncGenerator<{ key: Buffer; hex: string; entry: ChunkEntry }> {
  const keys = digests.map(chunkDigest);
  for (const key of keys) {
    signal?.throwIfAborted();
    const entry = await core.index.getChunk(key);
    const hex = key.toString('hex');
    if (!entry) throw new StrataError('NotFound', `chunk ${hex} not found`, { details: { chunk: hex } });
    yield { key, hex, entry };
  }
}

/**
 * A chunk as the store holds it: the zstd frame its pack keeps (`zstd`;
 * the reader decompresses it and checks the digest: decodeZstdChunk),
 * or its raw bytes, checked here, for a chunk stored uncompressed.
 */
export interface StoredChunk {
  digest: string;
  data: Buffer;
  zstd: boolean;
  rawLength: number;
}

/** readChunks for a reader that takes zstd frames: compressed chunks cross the wire as stored, not decompressed here. */
export async function* readStoredChunks(core: EngineCore, digests: readonly string[], signal?: AbortSignal): AsyncGenerator<StoredChunk> {
  for await (const { key, hex, entry: found } of indexedChunks(core, digests, signal)) {
    const { payload, entry } = await readChunkPayload(core, key, found);
    const zstd = entry.codec === Codec.Zstd;
    yield { digest: hex, data: zstd ? payload : decodeChunk(payload, entry.codec, entry.rawLength, key), zstd, rawLength: entry.rawLength };
  }
}

/**
 * Commits a blob from chunks the store holds: checks they are all there,
 * hashes the content they make, then records the recipe as an ordinary
 * commit does.
 */
export async function commitRecipe(
  core: EngineCore,
  expected: { digest: string; size: number },
  chunks: readonly { digest: string; length: number }[],
  lease: string | undefined,
): Promise<CommitResult> {
  const { index, packWriter } = core;
  const digest = `${parseDigest(expected.digest).algorithm}:${parseDigest(expected.digest).hex}`;
  if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
    throw new StrataError('InvalidArgument', `invalid size ${expected.size}`);
  }
  const refs = chunks.map(({ digest: hex, length }) => {
    if (!Number.isSafeInteger(length) || length <= 0) throw new StrataError('InvalidArgument', `invalid chunk length ${length}`);
    return { digest: chunkDigest(hex), length };
  });
  const total = refs.reduce((sum, ref) => sum + ref.length, 0);
  if (total !== expected.size) {
    throw new StrataError('SizeMismatch', `chunks add up to ${total} bytes, expected ${expected.size}`, {
      details: { expected: expected.size, actual: total },
    });
  }
  // Pinned until the commit's transaction has taken its references (or failed).
  const pinned = [...new Set(refs.map((ref) => ref.digest.toString('hex')))];
  try {
    const indexed = await pinIfIndexed(core, pinned.map((hex) => Buffer.from(hex, 'hex')));
    const missing = pinned.filter((_, i) => !indexed[i]);
    return await commitPinned(core, digest, expected.size, refs, missing, lease);
  } finally {
    for (const hex of pinned) core.pins.release(hex);
  }
}

async function commitPinned(
  core: EngineCore,
  digest: string,
  size: number,
  refs: { digest: Buffer; length: number }[],
  missing: string[],
  lease: string | undefined,
): Promise<CommitResult> {
  const { index, packWriter } = core;
  const expected = { digest, size };
  if (missing.length > 0) {
    throw new StrataError('FailedPrecondition', `${missing.length} chunks of ${digest} are missing`, { details: { missing } });
  }
  const entries = await index.getChunks(refs.map((ref) => ref.digest));
  for (const [i, ref] of refs.entries()) {
    const entry = entries[i]!;
    if (entry.rawLength !== ref.length) {
      throw new StrataError('InvalidArgument', `chunk ${ref.digest.toString('hex')} is ${entry.rawLength} bytes, not ${ref.length}`);
    }
  }
  const list = new RecipeChunks(encodeChunkList(refs));
  const digester = new Digester(parseDigest(digest).algorithm);
  const inline = expected.size <= core.settings.inlineMaxBytes;
  const inlinePieces: Buffer[] = [];
  const body: Readable = readRecipe(core, digest, { kind: RecipeKind.Chunked, size: expected.size, createdAt: 0, chunks: list }, 0, expected.size);
  for await (const piece of body) {
    digester.update(piece as Buffer);
    if (inline) inlinePieces.push(piece as Buffer);
  }
  const actual = digester.digest();
  if (actual !== digest) {
    throw new StrataError('DigestMismatch', `chunks make content ${actual}, expected ${digest}`, { details: { expected: digest, actual } });
  }
  if (await index.getRecipe(digest)) {
    const settle = { digest, recipe: Buffer.alloc(0), size: expected.size, chunks: [], durable: await packWriter.sync(), existingOnly: true };
    const { created } = await index.commitBlob(lease === undefined ? settle : { ...settle, lease });
    if (!created) return { digest, size: expected.size, created: false };
  }
  const createdAt = Date.now();
  const recipe = inline ? encodeInlineRecipe(Buffer.concat(inlinePieces), createdAt) : encodeChunkedRecipe(refs, expected.size, createdAt);
  const commitChunks = inline
    ? []
    : [...countUses(refs)].map(([hex, uses]) => ({ digest: Buffer.from(hex, 'hex'), uses, location: undefined }));
  return core.blobLocks.withLocks([digest], async () => {
    const { indexValue, durable } = await appendRecipe(core, digest, recipe);
    const commit = { digest, recipe: indexValue, size: expected.size, chunks: commitChunks, durable, ...(lease === undefined ? {} : { lease }) };
    const { created } = await index.commitBlob(commit);
    if (created && !inline) core.afterCommit?.(digest, expected.size);
    return { digest, size: expected.size, created };
  });
}
