import { isDataLoss } from '@strata/errors';
import { countUses, type EngineIndex } from './index-db.ts';
import { RecordType, type RecordLocation } from './pack-format.ts';
import { scanPack } from './pack-scan.ts';
import type { PackStore } from './pack-store.ts';
import type { DurablePoint } from './pack-writer.ts';
import { decodeRecipe, RecipeKind, recipeChunkRefs, usesChunks } from './recipe.ts';
import { decodeRecipePayload, indexValueOf } from './recipe-records.ts';

/** What replaying the packs' tail into the index did. */
export interface ReplayReport {
  /** Records found past the index's durable point. */
  records: number;
  /** Blobs made visible, and deletes applied, from those records. */
  blobs: number;
  deletes: number;
  /** Recipes that could not be applied (a damaged record, or a chunk no pack holds). */
  skipped: string[];
}

/**
 * Brings the index up to the packs. The packs are the store's log: every
 * record reaches a pack (and is fsynced) before the index transaction that
 * reflects it. Index transactions are not flushed to disk one by one, so
 * after a machine crash the index may end at an earlier durable point than
 * the packs; the records past it are applied again here, in log order.
 * After a process crash the same step picks up what a commit had made
 * durable in a pack but not yet indexed.
 */
export async function replayPackTail(packs: PackStore, index: EngineIndex, packIds: readonly number[]): Promise<ReplayReport> {
  const durable = await index.durablePoint();
  const report: ReplayReport = { records: 0, blobs: 0, deletes: 0, skipped: [] };
  const existing = new Set(packIds);
  for (const packId of packIds) {
    if (durable && packId < durable.packId) continue;
    const scan = await scanPack(packs, packId);
    const from = durable && packId === durable.packId ? durable.length : 0;
    const records = scan.records.filter((record) => record.recordOffset >= from);
    for (const record of records) {
      report.records++;
      await apply(packs, index, packId, record, report, existing);
    }
  }
  return report;
}

async function apply(
  packs: PackStore,
  index: EngineIndex,
  packId: number,
  record: RecordLocation,
  report: ReplayReport,
  existing: ReadonlySet<number>,
): Promise<void> {
  const point: DurablePoint = { packId, length: record.payloadOffset + record.storedLength };
  const key = record.key;
  if (record.type === RecordType.Chunk) {
    const { payloadOffset, storedLength, rawLength, codec } = record;
    const location = { packId, payloadOffset, storedLength, rawLength, codec };
    // A compaction copy whose move the index lost while the old pack was removed: the copy is the chunk now.
    const indexed = await index.getChunk(key);
    if (indexed && !existing.has(indexed.packId)) await index.relocate({ chunks: [{ digest: key, from: indexed, to: location }], blobs: [] }, point);
    else await index.addChunks([{ digest: key, location }], point);
    return;
  }
  const digest = key.toString();
  if (record.type === RecordType.Tombstone) {
    if (await index.deleteBlob(digest, point)) report.deletes++;
    return;
  }
  let value: Buffer;
  let chunks: { digest: Buffer; uses: number; location: undefined }[] = [];
  let size: number;
  let expanded = false;
  try {
    const recipe = decodeRecipePayload(await packs.read(packId, record.payloadOffset, record.storedLength), record.codec, record.rawLength);
    value = indexValueOf(recipe, { packId, ...record });
    const decoded = decodeRecipe(recipe);
    size = decoded.size;
    expanded = decoded.kind === RecipeKind.Expanded;
    if (usesChunks(decoded)) {
      chunks = [...countUses(recipeChunkRefs(decoded))].map(([hex, uses]) => ({ digest: Buffer.from(hex, 'hex'), uses, location: undefined }));
    }
  } catch (error) {
    if (!isDataLoss(error)) throw error;
    report.skipped.push(digest);
    return;
  }
  if (chunks.length > 0 && (await index.hasChunks(chunks.map((chunk) => chunk.digest))).includes(false)) {
    report.skipped.push(digest);
    return;
  }
  const indexed = await index.getRecipe(digest);
  const current = indexed ? decodeRecipe(indexed) : undefined;
  if (current?.kind === RecipeKind.Packed && !existing.has(current.ref.packId)) {
    await index.relocate({ chunks: [], blobs: [{ digest, from: current.ref, value }] }, point);
    return;
  }
  // An expanded recipe recorded after the blob's chunked one: the swap its expansion made (layer-expansion.ts).
  if (expanded && indexed && current?.kind !== RecipeKind.Expanded) {
    if (await index.swapRecipe({ digest, expected: indexed, recipe: value, chunks, durable: point })) report.blobs++;
    return;
  }
  const { created } = await index.commitBlob({ digest, recipe: value, size, chunks, durable: point });
  if (created) report.blobs++;
}

