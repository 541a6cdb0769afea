import { isDataLoss, StrataError } from '@strata/errors';
import { decodeChunk } from './chunk-codec.ts';
import type { FsckOptions } from './content-store.ts';
import type { EngineCore } from './engine-core.ts';
import { countUses, type ExpansionMark } from './index-db.ts';
import { emptyCounters, type ChunkEntry } from './layout.ts';
import { RecordType } from './pack-format.ts';
import { scanPack } from './pack-scan.ts';
import { decodeRecipe, RecipeKind, recipeChunkRefs, usesChunks, type Recipe } from './recipe.ts';
import { decodeRecipePayload, indexValueOf } from './recipe-records.ts';

// Expansion marks read from the old index together.
const MARK_BATCH = 500;

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
  // Every recipe record of a blob since its last tombstone, oldest first: an
  // expanded recipe replaces a chunked one of the same bytes, and the newest
  // whose chunks all survive stands.
  const blobs = new Map<string, Buffer[]>();
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
          const digest = key.toString();
          blobs.set(digest, [...(blobs.get(digest) ?? []), indexValueOf(recipe, { packId, ...record })]);
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
  for (const [digest, candidates] of [...blobs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const chosen = chooseRecipe(candidates, chunks);
    if (!chosen) {
      lostBlobs.push(digest);
      continue;
    }
    const { bytes, recipe } = chosen;
    if (usesChunks(recipe)) {
      for (const [hex, count] of countUses(recipeChunkRefs(recipe))) chunks.get(hex)!.refs += count;
    } else {
      counters.uniqueBytes += recipe.size;
    }
    counters.blobs++;
    counters.logicalBytes += recipe.size;
    if (recipe.kind === RecipeKind.Expanded) {
      counters.expandedBlobs++;
      counters.expandedLogicalBytes += recipe.size;
    }
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
  const marks = await marksToKeep(core, kept);
  await index.replaceAll({ chunks: sortedChunks, blobs: kept, counters, marks });
  if (kept.length + lostBlobs.length !== blobs.size) throw new StrataError('Internal', 'rebuild lost count of blobs');
  return { packs: packIds.length, chunks: chunks.size, blobs: kept.length, damagedChunks, lostBlobs };
}

/**
 * The expansion marks the index still holds for blobs that stay chunked:
 * the packs do not record them, and without them the next catch-up would
 * try every layer an expansion left as it was once more. An index too
 * damaged to read them loses them, which costs only those tries.
 */
async function marksToKeep(core: EngineCore, kept: readonly { digest: string; recipe: Buffer }[]): Promise<{ digest: string; mark: ExpansionMark }[]> {
  const chunked = kept.filter(({ recipe }) => decodeRecipe(recipe).kind === RecipeKind.Chunked).map(({ digest }) => digest);
  const marks: { digest: string; mark: ExpansionMark }[] = [];
  try {
    for (let from = 0; from < chunked.length; from += MARK_BATCH) {
      const batch = chunked.slice(from, from + MARK_BATCH);
      const found = await core.index.getExpansionMarks(batch);
      found.forEach((mark, i) => {
        if (mark) marks.push({ digest: batch[i]!, mark });
      });
    }
  } catch {
    return [];
  }
  return marks;
}

/** The newest recipe that decodes and whose chunks are all held. */
function chooseRecipe(candidates: readonly Buffer[], chunks: ReadonlyMap<string, ChunkEntry>): { bytes: Buffer; recipe: Recipe } | undefined {
  for (let i = candidates.length - 1; i >= 0; i--) {
    let recipe: Recipe;
    try {
      recipe = decodeRecipe(candidates[i]!);
    } catch {
      continue;
    }
    if ([...recipeChunkRefs(recipe)].every(({ digest }) => chunks.has(digest.toString('hex')))) return { bytes: candidates[i]!, recipe };
  }
  return undefined;
}
