/**
 * Online garbage collection: a sweep of unreferenced chunks from the index,
 * then compaction of sparse packs, while reads and writes go on.
 *
 * Sweep. A chunk is removed from the index when its refcount is 0 and
 * nothing protects it: a live lease that holds it, a saved write
 * (checkpoint) that names it, or a pin. Writes pin every chunk they find in
 * the index before relying on it and keep the pin until their commit has
 * taken its references (ChunkPins explains why pin-then-look-up is safe);
 * the sweep's transaction re-checks `refs == 0` and the pins for each chunk.
 * Leases and checkpoints are read once before the sweep: protection created
 * later comes from a write that already pins the chunks it names.
 *
 * Compaction. A sealed pack whose live records (those the index points at,
 * plus the recipes and tombstones the log still needs) are a small part of
 * it has them copied to the open pack; the copies are made durable, the
 * index is pointed at them (each entry only if it still points at the old
 * record), the index is forced to disk, and only then is the old pack
 * removed. Packs are processed in id order, in groups whose live records
 * fit one new pack (one durable point per group). Small packs, which object
 * storage gets from every commit, are merged that way too, and the open
 * pack of a local store is sealed first when it is mostly garbage. A pack is left
 * alone while it may hold records no index entry points at yet: chunks of
 * writes in progress (PendingChunks), chunks a saved write located there,
 * and chunks put but not yet indexed (UnindexedAppends). Recipe and
 * tombstone records are decided and copied holding their blobs' locks, so a
 * concurrent commit or delete of the same blob is ordered in the log as in
 * the index. A reader that looked a record up before it moved still reads
 * the old file (its handle outlives the removal) or finds the new place in
 * the index (read-path.ts). A crash at any point leaves either the old pack
 * (and maybe unused copies) or the copies with the index pointing at them.
 */
import { crc32 } from 'node:zlib';
import { isDataLoss, StrataError } from '@strata/errors';
import { decodeChunk, encodeChunk } from './chunk-codec.ts';
import type { GcOptions, GcReport } from './content-store.ts';
import type { EngineCore } from './engine-core.ts';
import type { Relocations } from './index-db.ts';
import { Codec, recordLength, RecordType, type RecordFields, type RecordLocation } from './pack-format.ts';
import { scanPack } from './pack-scan.ts';
import { decodeChunkList, decodeRecipe, encodePackedRecipe, RecipeKind } from './recipe.ts';

export const DEFAULT_MIN_LIVE_FRACTION = 0.5;

// Chunks removed per sweep transaction: short transactions keep commits flowing.
const SWEEP_BATCH = 1024;
// Live chunk records are read from an old pack in spans of about this size...
const COPY_SPAN_BYTES = 4 * 1024 * 1024;
// ...and appended to the open pack in batches of about this size.
const COPY_BATCH_BYTES = 4 * 1024 * 1024;
// A sealed pack below this fraction of the target size is small: collections merge small packs.
const SMALL_PACK_FRACTION = 4;

interface PackPlan {
  packId: number;
  fileLength: number;
  records: RecordLocation[];
  liveBytes: number;
}

export async function collectGarbage(core: EngineCore, options: GcOptions): Promise<GcReport> {
  const started = Date.now();
  const dryRun = options.dryRun === true;
  const minLiveFraction = options.minLiveFraction ?? DEFAULT_MIN_LIVE_FRACTION;
  if (typeof minLiveFraction !== 'number' || !(minLiveFraction >= 0 && minLiveFraction <= 1)) {
    throw new StrataError('InvalidArgument', `minLiveFraction must be between 0 and 1, not ${minLiveFraction}`);
  }
  const report: GcReport = { dryRun, chunksSwept: 0, packsCompacted: 0, packsDeleted: 0, bytesCopied: 0, bytesReclaimed: 0, durationMs: 0 };
  const swept = await sweep(core, dryRun, options);
  report.chunksSwept = swept.size;
  if (!dryRun) {
    const { index } = core;
    await core.hotCache.prune(async (digest) => (await index.getRecipe(digest)) !== undefined);
  }
  // A dry run has swept nothing: compaction's estimate counts the chunks the sweep would remove as dead.
  await compact(core, dryRun ? swept : new Set(), minLiveFraction, options, report);
  report.durationMs = Date.now() - started;
  return report;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StrataError('Cancelled', 'garbage collection cancelled');
}

/** Chunks live leases and saved writes hold, as hex digests. */
async function protectedChunks(core: EngineCore): Promise<Set<string>> {
  const { index } = core;
  const held = new Set<string>();
  const now = Date.now();
  for await (const { id, lease } of index.leases()) {
    if (lease.expiresAt <= now) continue;
    for await (const resource of index.leaseResources(id)) if (resource.startsWith('chunk:')) held.add(resource.slice('chunk:'.length));
  }
  for await (const { checkpoint } of index.ingests()) {
    for (const { digest } of decodeChunkList(checkpoint.chunks)) held.add(digest.toString('hex'));
    for (const { digest } of checkpoint.located) held.add(digest.toString('hex'));
  }
  return held;
}

/** Sweeps (or in a dry run, finds) unprotected garbage chunks; returns their hex digests. */
async function sweep(core: EngineCore, dryRun: boolean, options: GcOptions): Promise<Set<string>> {
  const { index, pins } = core;
  const held = await protectedChunks(core);
  const keep = (hex: string): boolean => held.has(hex) || pins.isPinned(hex);
  const candidates: Buffer[] = [];
  for await (const { digest, entry } of index.chunks()) {
    if (entry.refs === 0 && !keep(digest.toString('hex'))) candidates.push(Buffer.from(digest));
  }
  const swept = new Set<string>();
  if (dryRun) {
    for (const digest of candidates) swept.add(digest.toString('hex'));
    return swept;
  }
  for (let at = 0; at < candidates.length; at += SWEEP_BATCH) {
    checkAborted(options.signal);
    const marked: string[] = [];
    try {
      await index.sweepChunks(candidates.slice(at, at + SWEEP_BATCH), keep, (hex) => {
        pins.markSweeping(hex);
        marked.push(hex);
      });
    } finally {
      pins.clearSweeping(marked);
    }
    for (const hex of marked) swept.add(hex);
    options.onProgress?.({ phase: 'sweep', done: Math.min(at + SWEEP_BATCH, candidates.length), total: candidates.length });
  }
  return swept;
}

/** Packs compaction must leave alone this time, and the first pack id it may not touch. */
async function untouchable(core: EngineCore): Promise<{ packs: Set<number>; from: number }> {
  const inUse = core.pending.packsInUse();
  const packs = new Set(inUse.packs);
  for await (const { checkpoint } of core.index.ingests()) for (const { location } of checkpoint.located) packs.add(location.packId);
  const from = Math.min(core.packWriter.openPackId, inUse.from ?? Infinity, core.unindexed.oldestPack() ?? Infinity);
  return { packs, from };
}

/**
 * Seals the open pack of a local store when most of it is garbage and no
 * write in progress has records in it, so this collection can compact it.
 * (On object storage every commit seals its pack already.)
 */
async function sealSparseOpenPack(core: EngineCore, wouldSweep: ReadonlySet<string>, minLiveFraction: number): Promise<void> {
  const { packs, packWriter } = core;
  if (packs.durableOnSeal) return;
  const openPackId = packWriter.openPackId;
  const blocked = await untouchable(core);
  if (blocked.packs.has(openPackId) || blocked.from < openPackId) return;
  const inUse = core.pending.packsInUse();
  if ((inUse.from ?? Infinity) <= openPackId || (core.unindexed.oldestPack() ?? Infinity) <= openPackId) return;
  const scan = await scanPack(packs, openPackId);
  if (scan.records.length === 0) return;
  // Without older packs' recipe keys every tombstone counts as dead: an estimate, decided again once sealed.
  const plan: PackPlan = { packId: openPackId, fileLength: scan.validLength, records: scan.records, liveBytes: 0 };
  const live = (await liveRecords(core, plan, new Map(), wouldSweep)).reduce((sum, r) => sum + recordLength(r.key.byteLength, r.storedLength), 0);
  if (live / plan.fileLength < minLiveFraction) await packWriter.sealOpenPack();
}

async function compact(
  core: EngineCore,
  wouldSweep: ReadonlySet<string>,
  minLiveFraction: number,
  options: GcOptions,
  report: GcReport,
): Promise<void> {
  const dryRun = report.dryRun;
  const { packs } = core;
  if (!dryRun) await sealSparseOpenPack(core, wouldSweep, minLiveFraction);
  const blocked = await untouchable(core);
  // Recipe keys of every pack: a tombstone is needed while an older pack still holds a recipe of its blob.
  const recipeKeys = new Map<number, Set<string>>();
  const plans: PackPlan[] = [];
  for (const packId of await packs.list()) {
    if (packId >= core.packWriter.openPackId) break;
    checkAborted(options.signal);
    let scan;
    try {
      scan = await scanPack(packs, packId);
    } catch (error) {
      // A damaged pack is fsck's business; its recipes may matter, so keep every tombstone.
      if (!isDataLoss(error)) throw error;
      recipeKeys.set(packId, new Set(['*']));
      continue;
    }
    recipeKeys.set(packId, new Set(scan.records.filter((r) => r.type === RecordType.Recipe).map((r) => r.key.toString())));
    if (!scan.sealed || packId >= blocked.from || blocked.packs.has(packId)) continue;
    plans.push({ packId, fileLength: scan.fileLength, records: scan.records, liveBytes: 0 });
  }
  const selected: PackPlan[] = [];
  const small: PackPlan[] = [];
  const smallBytes = core.packWriter.targetPackBytes / SMALL_PACK_FRACTION;
  for (const plan of plans) {
    plan.liveBytes = (await liveRecords(core, plan, recipeKeys, wouldSweep)).reduce((sum, r) => sum + recordLength(r.key.byteLength, r.storedLength), 0);
    if (plan.liveBytes === 0 || plan.liveBytes / plan.fileLength < minLiveFraction) selected.push(plan);
    else if (plan.fileLength < smallBytes) small.push(plan);
  }
  // Small packs (on object storage every commit seals one) are merged, up to one full pack per collection.
  if (small.length >= 2) {
    let budget = core.packWriter.targetPackBytes;
    for (const plan of small) {
      if (plan.liveBytes > budget) break;
      budget -= plan.liveBytes;
      selected.push(plan);
    }
    selected.sort((a, b) => a.packId - b.packId);
  }
  if (dryRun) {
    for (const plan of selected) {
      if (plan.liveBytes > 0) report.packsCompacted++;
      report.packsDeleted++;
      report.bytesCopied += plan.liveBytes;
      report.bytesReclaimed += plan.fileLength - plan.liveBytes;
    }
    return;
  }
  let done = 0;
  for (const group of copyGroups(selected, core.packWriter.targetPackBytes)) {
    checkAborted(options.signal);
    const copiedByPack = await compactPacks(core, group, recipeKeys);
    for (const plan of group) {
      const copied = copiedByPack.get(plan.packId);
      if (copied !== undefined) {
        if (copied > 0) report.packsCompacted++;
        report.packsDeleted++;
        report.bytesCopied += copied;
        report.bytesReclaimed += plan.fileLength - copied;
        recipeKeys.delete(plan.packId);
      }
      options.onProgress?.({ phase: 'compact', done: ++done, total: selected.length });
    }
  }
}

/** Consecutive runs of packs whose live bytes fit one new pack: each run is copied and made durable once. */
function copyGroups(selected: readonly PackPlan[], targetPackBytes: number): PackPlan[][] {
  const groups: PackPlan[][] = [];
  let current: PackPlan[] = [];
  let bytes = 0;
  for (const plan of selected) {
    if (current.length > 0 && bytes + plan.liveBytes > targetPackBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(plan);
    bytes += plan.liveBytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Whether an older pack than `packId` still holds a recipe record of `digest`. */
function olderRecipe(recipeKeys: Map<number, Set<string>>, packId: number, digest: string): boolean {
  for (const [id, keys] of recipeKeys) if (id < packId && (keys.has(digest) || keys.has('*'))) return true;
  return false;
}

/**
 * The records of a pack the store still needs: chunks and packed recipes
 * the index points at, the last recipe of each blob the index holds as a
 * chunk list, and tombstones of absent blobs an older recipe would bring back.
 */
async function liveRecords(
  core: EngineCore,
  plan: PackPlan,
  recipeKeys: Map<number, Set<string>>,
  wouldSweep: ReadonlySet<string> = new Set(),
  only: 'chunks' | 'blobs' | 'all' = 'all',
): Promise<RecordLocation[]> {
  const { index } = core;
  const live: RecordLocation[] = [];
  const lastRecipe = new Map<string, RecordLocation>();
  for (const record of plan.records) if (record.type === RecordType.Recipe) lastRecipe.set(record.key.toString(), record);
  const records = plan.records.filter((record) => only === 'all' || (record.type === RecordType.Chunk) === (only === 'chunks'));
  const chunkRecords = records.filter((record) => record.type === RecordType.Chunk);
  const blobRecords = records.filter((record) => record.type !== RecordType.Chunk);
  // Looked up together: one round trip per kind, not one per record.
  const entries = new Map(chunkRecords.map((record, i) => [record, i]));
  const chunkEntries = chunkRecords.length === 0 ? [] : await index.getChunks(chunkRecords.map((record) => record.key));
  const recipes = new Map<string, Buffer | undefined>();
  for (const record of blobRecords) {
    const digest = record.key.toString();
    if (!recipes.has(digest)) recipes.set(digest, await index.getRecipe(digest));
  }
  for (const record of records) {
    if (record.type === RecordType.Chunk) {
      const entry = chunkEntries[entries.get(record)!];
      if (entry && entry.packId === plan.packId && entry.payloadOffset === record.payloadOffset && !wouldSweep.has(record.key.toString('hex'))) {
        live.push(record);
      }
      continue;
    }
    const digest = record.key.toString();
    const bytes = recipes.get(digest);
    if (record.type === RecordType.Tombstone) {
      if (!bytes && olderRecipe(recipeKeys, plan.packId, digest)) live.push(record);
      continue;
    }
    if (!bytes) continue;
    const recipe = decodeRecipe(bytes);
    if (recipe.kind === RecipeKind.Packed) {
      if (recipe.ref.packId === plan.packId && recipe.ref.payloadOffset === record.payloadOffset) live.push(record);
    } else if (lastRecipe.get(digest) === record && record.rawLength === bytes.byteLength) {
      // A recipe of another length than the index's was replaced (an expansion's swap): the
      // current one was appended after it, to a newer pack, and that record is the one to keep.
      live.push(record);
    }
  }
  return live;
}

/**
 * Copies the live records of a group of packs to the open pack, points the
 * index at the copies and removes the packs: one durable point for the
 * chunks and one for the recipes of the whole group, so on object storage
 * the copies of many small packs become one new pack. Returns the bytes
 * copied per pack removed; a pack with a damaged record is left as it is
 * (fsck reports it) and missing from the result.
 */
async function compactPacks(core: EngineCore, group: readonly PackPlan[], recipeKeys: Map<number, Set<string>>): Promise<Map<number, number>> {
  const { index, packs, packWriter, blobLocks } = core;
  const copied = new Map<number, number>();
  const moves: Relocations = { chunks: [], blobs: [] };
  for (const plan of group) {
    const copies = await copyChunks(core, plan, recipeKeys);
    if (copies === undefined) continue;
    moves.chunks.push(...copies.moves);
    copied.set(plan.packId, copies.bytes);
  }
  if (moves.chunks.length > 0) await index.relocate(moves, await packWriter.sync());

  // Recipes and tombstones: decided again under their blobs' locks.
  const plans = group.filter((plan) => copied.has(plan.packId));
  const keys = [...new Set(plans.flatMap((plan) => plan.records.filter((r) => r.type !== RecordType.Chunk).map((r) => r.key.toString())))];
  await blobLocks.withLocks(keys, async () => {
    const copies: { packId: number; fields: RecordFields; packed?: { digest: string; size: number; createdAt: number; from: RecordLocation } }[] = [];
    for (const plan of plans) {
      const own = await blobCopies(core, plan, recipeKeys);
      if (own === undefined) copied.delete(plan.packId);
      else copies.push(...own.map((copy) => ({ ...copy, packId: plan.packId })));
    }
    if (copies.length === 0) return;
    const placed = await packWriter.append(copies.map((copy) => copy.fields));
    const durable = await packWriter.sync();
    const blobMoves: Relocations = { chunks: [], blobs: [] };
    copies.forEach(({ packId, fields, packed }, i) => {
      copied.set(packId, copied.get(packId)! + recordLength(fields.key.byteLength, fields.payload.byteLength));
      if (!packed) return;
      const ref = { ...placed[i]!, codec: packed.from.codec, rawLength: packed.from.rawLength };
      blobMoves.blobs.push({
        digest: packed.digest,
        from: { packId, payloadOffset: packed.from.payloadOffset },
        value: encodePackedRecipe(packed.size, packed.createdAt, ref),
      });
    });
    if (blobMoves.blobs.length > 0) await index.relocate(blobMoves, durable);
  });
  if (copied.size === 0) return copied;
  // The index must not lose the moves (even to a machine crash) once the old records are gone.
  await index.syncToDisk();
  for (const packId of copied.keys()) await packs.remove(packId);
  return copied;
}

/**
 * Appends copies of a pack's live chunk records (what the index points at
 * now: only this collection sweeps, so they stay indexed) to the open pack.
 * Undefined when a record is damaged: damage is never copied.
 */
async function copyChunks(
  core: EngineCore,
  plan: PackPlan,
  recipeKeys: Map<number, Set<string>>,
): Promise<{ moves: Relocations['chunks']; bytes: number } | undefined> {
  const { packs, packWriter } = core;
  const chunks = await liveRecords(core, plan, recipeKeys, new Set(), 'chunks');
  const moves: Relocations['chunks'] = [];
  let bytes = 0;
  let batch: { records: RecordFields[]; from: RecordLocation[]; bytes: number } = { records: [], from: [], bytes: 0 };
  const flush = async (): Promise<void> => {
    if (batch.records.length === 0) return;
    const placed = await packWriter.append(batch.records);
    placed.forEach((where, i) => {
      const from = batch.from[i]!;
      moves.push({
        digest: from.key,
        from: { packId: plan.packId, payloadOffset: from.payloadOffset },
        to: { ...where, rawLength: from.rawLength, codec: from.codec },
      });
      bytes += recordLength(from.key.byteLength, from.storedLength);
    });
    batch = { records: [], from: [], bytes: 0 };
  };
  for (const span of spans(chunks)) {
    const start = span[0]!.payloadOffset;
    const last = span.at(-1)!;
    const read = await packs.read(plan.packId, start, last.payloadOffset + last.storedLength - start);
    for (const record of span) {
      const payload = read.subarray(record.payloadOffset - start, record.payloadOffset - start + record.storedLength);
      if (crc32(payload) !== record.payloadCrc) return undefined;
      try {
        decodeChunk(payload, record.codec, record.rawLength, record.key);
      } catch (error) {
        if (isDataLoss(error)) return undefined;
        throw error;
      }
      batch.records.push({ type: RecordType.Chunk, codec: record.codec, key: record.key, rawLength: record.rawLength, payload });
      batch.from.push(record);
      batch.bytes += payload.byteLength;
      if (batch.bytes >= COPY_BATCH_BYTES) await flush();
    }
  }
  await flush();
  return { moves, bytes };
}

/**
 * The recipe and tombstone records of a pack to copy, decided under their
 * blobs' locks; undefined when a packed recipe is damaged.
 */
async function blobCopies(
  core: EngineCore,
  plan: PackPlan,
  recipeKeys: Map<number, Set<string>>,
): Promise<{ fields: RecordFields; packed?: { digest: string; size: number; createdAt: number; from: RecordLocation } }[] | undefined> {
  const { index, packs } = core;
  const copies: { fields: RecordFields; packed?: { digest: string; size: number; createdAt: number; from: RecordLocation } }[] = [];
  for (const record of await liveRecords(core, plan, recipeKeys, new Set(), 'blobs')) {
    const digest = record.key.toString();
    if (record.type === RecordType.Tombstone) {
      copies.push({ fields: { type: RecordType.Tombstone, codec: Codec.None, key: record.key, rawLength: 0, payload: new Uint8Array() } });
      continue;
    }
    const value = (await index.getRecipe(digest))!;
    const recipe = decodeRecipe(value);
    if (recipe.kind === RecipeKind.Packed) {
      const payload = await packs.read(plan.packId, record.payloadOffset, record.storedLength);
      if (crc32(payload) !== record.payloadCrc) return undefined;
      copies.push({
        fields: { type: RecordType.Recipe, codec: record.codec, key: record.key, rawLength: record.rawLength, payload },
        packed: { digest, size: recipe.size, createdAt: recipe.createdAt, from: record },
      });
    } else {
      // The index's chunk list is the blob's recipe, whichever record of the pack it came from.
      const { codec, payload } = encodeChunk(value, core.settings.zstdLevel);
      copies.push({ fields: { type: RecordType.Recipe, codec, key: record.key, rawLength: value.byteLength, payload } });
    }
  }
  return copies;
}

/** Chunk records in file order, grouped into spans read with one call each. */
function* spans(records: readonly RecordLocation[]): Generator<RecordLocation[]> {
  let span: RecordLocation[] = [];
  let start = 0;
  for (const record of [...records].sort((a, b) => a.payloadOffset - b.payloadOffset)) {
    if (span.length > 0 && record.payloadOffset + record.storedLength - start > COPY_SPAN_BYTES) {
      yield span;
      span = [];
    }
    if (span.length === 0) start = record.payloadOffset;
    span.push(record);
  }
  if (span.length > 0) yield span;
}
