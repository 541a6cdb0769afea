import { isDataLoss, StrataError } from '@strata/errors';
import { decodeChunk } from './chunk-codec.ts';
import type { FsckOptions } from './content-store.ts';
import type { EngineCore } from './engine-core.ts';
import { countUses } from './index-db.ts';
import { emptyCounters, type ChunkEntry } from './layout.ts';
import { RecordType } from './pack-format.ts';
import { scanPack } from './pack-scan.ts';
import { decodeRecipe, RecipeKind } from './recipe.ts';
import { decodeRecipePayload, indexValueOf } from './recipe-records.ts';

export interface RebuildReport {
  packs: number;
  chunks: number;
  blobs: number;
  /** Chunks whose bytes fail their digest: left out of the index. */
  damagedChunks: string[];
  /** Blobs whose recipe names a chunk no pack holds intact: left out of the index. */
  lostBlobs: string[];
}

/**
 * Replays every pack in order (chunks, recipes, tombstones) and replaces
 * the index with what they say. Each chunk is checked against its digest on
 * the way; refcounts and counters are recomputed from the surviving recipes.
 */
export async function rebuildIndex(core: EngineCore, options: FsckOptions): Promise<RebuildReport> {
  const { packs, index } = core;
  const chunks = new Map<string, ChunkEntry>();
  const blobs = new Map<string, Buffer>();
  const damagedChunks: string[] = [];
  const packIds = await packs.list();
  let done = 0;
  for (const packId of packIds) {
    options.signal?.throwIfAborted();
    const scan = await scanPack(packs, packId);
    for (const record of scan.records) {
      const key = record.key;
      if (record.type === RecordType.Chunk) {
        const hex = key.toString('hex');
        if (chunks.has(hex)) continue;
        const payload = await packs.read(packId, record.payloadOffset, record.storedLength);
        try {
          decodeChunk(payload, record.codec, record.rawLength, key);
        } catch (error) {
          if (!isDataLoss(error)) throw error;
          damagedChunks.push(hex);
          continue;
        }
        chunks.set(hex, {
          packId,
          payloadOffset: record.payloadOffset,
          storedLength: record.storedLength,
          rawLength: record.rawLength,
          codec: record.codec,
          refs: 0,
        });
      } else if (record.type === RecordType.Recipe) {
        const payload = await packs.read(packId, record.payloadOffset, record.storedLength);
        try {
          const recipe = decodeRecipePayload(payload, record.codec, record.rawLength);
          blobs.set(key.toString(), indexValueOf(recipe, { packId, ...record }));
        } catch (error) {
          if (!isDataLoss(error)) throw error;
          // A damaged recipe record: an earlier one for the same blob, if any, stands.
        }
      } else {
        blobs.delete(key.toString());
      }
    }
    options.onProgress?.({ phase: 'packs', done: ++done, total: packIds.length });
  }

  const counters = emptyCounters();
  const lostBlobs: string[] = [];
  const kept: { digest: string; recipe: Buffer }[] = [];
  for (const [digest, bytes] of [...blobs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let recipe;
    try {
      recipe = decodeRecipe(bytes);
    } catch {
      lostBlobs.push(digest);
      continue;
    }
    if (recipe.kind === RecipeKind.Chunked) {
      const uses = countUses(recipe.chunks);
      if ([...uses.keys()].some((hex) => !chunks.has(hex))) {
        lostBlobs.push(digest);
        continue;
      }
      for (const [hex, count] of uses) chunks.get(hex)!.refs += count;
    } else {
      counters.uniqueBytes += recipe.size;
    }
    counters.blobs++;
    counters.logicalBytes += recipe.size;
    kept.push({ digest, recipe: bytes });
  }
  for (const entry of chunks.values()) {
    if (entry.refs > 0) {
      counters.liveChunks++;
      counters.uniqueBytes += entry.rawLength;
    } else {
      counters.garbageChunks++;
      counters.garbageBytes += entry.storedLength;
    }
  }
  const sortedChunks = [...chunks]
    .map(([hex, entry]) => ({ digest: Buffer.from(hex, 'hex'), entry }))
    .sort((a, b) => Buffer.compare(a.digest, b.digest));
  await index.replaceAll({ chunks: sortedChunks, blobs: kept, counters });
  if (kept.length + lostBlobs.length !== blobs.size) throw new StrataError('Internal', 'rebuild lost count of blobs');
  return { packs: packIds.length, chunks: chunks.size, blobs: kept.length, damagedChunks, lostBlobs };
}
