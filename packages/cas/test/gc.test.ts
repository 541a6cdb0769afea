import test from 'ava';
import { cutPoints } from '@strata/chunker';
import { createHash } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isInvalidArgument, isNotFound } from '@strata/errors';
import { openStore, readBytes, writeBlob, type Engine, type EngineOptions } from '@strata/cas';
import { pieces, seededBytes, sha256, tempDir } from './support.ts';

const KiB = 1024;
const MiB = 1024 * 1024;
const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// Small packs, so that a test's few MiB spread over many of them.
const SMALL_PACKS: EngineOptions = { targetPackBytes: 256 * KiB, compressThreads: 0, hotCacheBytes: 0 };

async function open(t: Parameters<typeof tempDir>[0], dir: string, options: EngineOptions = SMALL_PACKS): Promise<Engine> {
  const store = await openStore(dir, options);
  t.teardown(() => store.close());
  return store;
}

async function readAll(store: Engine, digest: string): Promise<Buffer> {
  return readBytes(store, digest, 64 * MiB);
}

async function packCount(dir: string): Promise<number> {
  return (await readdir(join(dir, 'packs'))).length;
}

test('GC reclaims the unique chunks of deleted blobs and keeps shared ones', async (t) => {
  const dir = await tempDir(t);
  let store = await open(t, dir);
  const shared = seededBytes('shared', 2 * MiB);
  const a = Buffer.concat([shared, seededBytes('a', 3 * MiB)]);
  const b = Buffer.concat([shared, seededBytes('b', 1 * MiB)]);
  const small = seededBytes('small', 3000);
  await writeBlob(store, pieces(a));
  await writeBlob(store, pieces(b));
  await writeBlob(store, [small]);
  await store.delete(sha256(a));
  const before = await store.stats();
  t.true(before.garbageChunks > 0);

  const report = await store.collectGarbage();
  t.false(report.dryRun);
  t.is(report.chunksSwept, before.garbageChunks);
  t.true(report.packsDeleted > 0);
  t.true(report.bytesReclaimed > 2 * MiB, `${report.bytesReclaimed} bytes reclaimed`);
  const after = await store.stats();
  t.is(after.garbageChunks, 0);
  t.is(after.garbageBytes, 0);
  t.is(after.blobs, 2);
  t.true(after.storedBytes < before.storedBytes - 2 * MiB, `${before.storedBytes} → ${after.storedBytes}`);
  t.deepEqual(await readAll(store, sha256(b)), b);
  t.deepEqual(await readAll(store, sha256(small)), small);
  t.true(isNotFound(await t.throwsAsync(store.stat(sha256(a)))));
  t.true((await store.fsck()).ok);

  // Reopened (replay) and rebuilt from the packs alone, the store says the same.
  await store.close();
  store = await open(t, dir);
  t.deepEqual(await readAll(store, sha256(b)), b);
  const rebuilt = await store.rebuildIndex();
  t.deepEqual(rebuilt.lostBlobs, []);
  t.is(rebuilt.blobs, 2);
  t.true(isNotFound(await t.throwsAsync(store.stat(sha256(a)))), 'the deleted blob stays deleted after a rebuild');
  t.deepEqual(await readAll(store, sha256(b)), b);
  const fsck = await store.fsck();
  t.deepEqual(fsck.damage, []);
});

test('a dry run reports what GC would reclaim and changes nothing', async (t) => {
  const dir = await tempDir(t);
  const store = await open(t, dir);
  const a = seededBytes('dry-a', 3 * MiB);
  const b = seededBytes('dry-b', 1 * MiB);
  await writeBlob(store, pieces(a));
  await writeBlob(store, pieces(b));
  await store.delete(sha256(a));
  const before = await store.stats();
  const packsBefore = await packCount(dir);
  const dry = await store.collectGarbage({ dryRun: true });
  t.true(dry.dryRun);
  t.is(dry.chunksSwept, before.garbageChunks);
  t.true(dry.packsDeleted > 0);
  t.deepEqual(await store.stats(), before);
  t.is(await packCount(dir), packsBefore);
  const real = await store.collectGarbage();
  t.is(real.chunksSwept, dry.chunksSwept);
  t.deepEqual(await readAll(store, sha256(b)), b);
  t.true(isInvalidArgument(await t.throwsAsync(store.collectGarbage({ minLiveFraction: 2 }))));
});

test('compaction copies live records out of sparse packs and deletes them', async (t) => {
  const dir = await tempDir(t);
  let store = await open(t, dir);
  const kept = new Map<string, Buffer>();
  const dropped: string[] = [];
  for (let i = 0; i < 24; i++) {
    // Large and small blobs interleaved, so sparse packs hold chunks, recipes and packed small blobs.
    const data = seededBytes(`compact-${i}`, i % 3 === 0 ? 2000 + i : 150 * KiB + i * 1000);
    const { digest } = await writeBlob(store, pieces(data));
    if (i % 4 === 0) kept.set(digest, data);
    else dropped.push(digest);
  }
  for (const digest of dropped) await store.delete(digest);
  const packsBefore = await packCount(dir);
  // First sweep only, then compact everything below 90% live.
  const sweepOnly = await store.collectGarbage({ minLiveFraction: 0 });
  t.true(sweepOnly.chunksSwept > 0);
  const report = await store.collectGarbage({ minLiveFraction: 0.9 });
  t.is(report.chunksSwept, 0);
  t.true(report.packsCompacted > 0, JSON.stringify(report));
  t.true(report.bytesCopied > 0);
  t.true(report.packsDeleted > 0);
  t.true((await packCount(dir)) < packsBefore, `${packsBefore} packs → ${await packCount(dir)}`);
  for (const [digest, data] of kept) t.deepEqual(await readAll(store, digest), data);
  t.deepEqual((await store.fsck()).damage, []);
  t.is((await store.stats()).blobs, kept.size);

  await store.close();
  store = await open(t, dir);
  t.deepEqual(store.openReport.replay.skipped, []);
  for (const [digest, data] of kept) t.deepEqual(await readAll(store, digest), data);
  const rebuilt = await store.rebuildIndex();
  t.deepEqual(rebuilt.lostBlobs, []);
  t.is(rebuilt.blobs, kept.size, 'deleted blobs stay deleted: their tombstones were carried forward');
  for (const digest of dropped) t.true(isNotFound(await t.throwsAsync(store.stat(digest))));
  for (const [digest, data] of kept) t.deepEqual(await readAll(store, digest), data);
  t.deepEqual((await store.fsck()).damage, []);
});

test('writers that dedup against garbage while GC runs in a loop never lose a chunk', async (t) => {
  const dir = await tempDir(t);
  const store = await open(t, dir, { ...SMALL_PACKS, compressThreads: 2 });
  // Segments that keep turning into garbage (their blobs are deleted) and back into live chunks.
  const segments = Array.from({ length: 6 }, (_, i) => seededBytes(`segment-${i}`, 300 * KiB));
  const live = new Map<string, Buffer>();
  const blobOf = (round: number, writer: number): Buffer =>
    Buffer.concat([segments[(round + writer) % segments.length]!, seededBytes(`unique-${round}-${writer}`, 20 * KiB + writer), segments[(round * 3 + writer) % segments.length]!]);
  const ROUNDS = 12;
  let stop = false;
  let collections = 0;
  let swept = 0;
  const collector = (async () => {
    while (!stop) {
      const report = await store.collectGarbage({ minLiveFraction: 0.8 });
      collections++;
      swept += report.chunksSwept;
    }
  })();
  for (let round = 0; round < ROUNDS; round++) {
    const written = await Promise.all(
      [0, 1, 2].map(async (writer) => {
        const data = blobOf(round, writer);
        // Small pieces: the write spans many turns of the event loop, so GC interleaves with it.
        const result = await writeBlob(store, pieces(data, 16 * KiB));
        return { digest: result.digest, data };
      }),
    );
    for (const { digest, data } of written) live.set(digest, data);
    // Delete all but the newest blobs: their chunks become garbage for the next round to reuse.
    const digests = [...live.keys()];
    for (const digest of digests.slice(0, Math.max(0, digests.length - 2))) {
      await store.delete(digest);
      live.delete(digest);
    }
  }
  stop = true;
  await collector;
  t.log(`${collections} collections swept ${swept} chunks during ${ROUNDS} rounds`);
  t.true(collections > 1);
  for (const [digest, data] of live) t.deepEqual(await readAll(store, digest), data);
  t.deepEqual((await store.fsck()).damage, []);
  await store.collectGarbage({ minLiveFraction: 1 });
  for (const [digest, data] of live) t.deepEqual(await readAll(store, digest), data);
  t.deepEqual((await store.fsck()).damage, []);
});

test('a lease keeps put chunks from GC; without one they are collected', async (t) => {
  const store = await open(t, await tempDir(t));
  const data = seededBytes('leased', 1 * MiB);
  let start = 0;
  const chunks = cutPoints(data, await store.chunking()).map((end) => {
    const chunk = data.subarray(start, end);
    start = end;
    return { digest: hex(chunk), length: chunk.byteLength, data: chunk };
  });
  const digests = chunks.map((c) => c.digest);
  const lease = await store.createLease({ ttlMs: 60_000 });
  await store.putChunks(chunks, { lease: lease.id });
  await store.collectGarbage({ minLiveFraction: 1 });
  t.deepEqual(await store.findMissingChunks(digests), [], 'leased chunks survive');
  const result = await store.commitRecipe({ digest: sha256(data), size: data.byteLength }, chunks, { lease: lease.id });
  t.true(result.created);
  t.deepEqual(await readAll(store, sha256(data)), data);

  const other = seededBytes('unleased', 100 * KiB);
  await store.putChunks([{ data: other }]);
  t.deepEqual(await store.findMissingChunks([hex(other)]), []);
  await store.collectGarbage();
  t.deepEqual(await store.findMissingChunks([hex(other)]), [hex(other)], 'chunks nothing holds are collected');

  await store.putChunks([{ data: other }], { lease: lease.id });
  await store.releaseLease(lease.id);
  await store.collectGarbage();
  t.deepEqual(await store.findMissingChunks([hex(other)]), [hex(other)], 'a released lease holds nothing');
  t.deepEqual(await readAll(store, sha256(data)), data);
  t.true((await store.fsck()).ok);
});

test('saved writes survive GC and compaction, in the same process and after a restart', async (t) => {
  const dir = await tempDir(t);
  let store = await open(t, dir);
  // The write's first half is a deleted blob's content: garbage it dedups against.
  const first = seededBytes('saved-first', 2 * MiB);
  const second = seededBytes('saved-second', 2 * MiB);
  const whole = Buffer.concat([first, second]);
  await writeBlob(store, pieces(first));
  await store.delete(sha256(first));
  // Filler whose deletion leaves the packs of the write sparse.
  const filler = seededBytes('filler', 2 * MiB);
  await writeBlob(store, pieces(filler));

  let writer = await store.writer('saved', { expected: { digest: sha256(whole), size: whole.byteLength } });
  for (const piece of pieces(first, 100 * KiB)) await writer.write(piece);
  await writer.write(second.subarray(0, 700 * KiB));
  await writer.close();
  await store.delete(sha256(filler));
  await store.collectGarbage({ minLiveFraction: 1 });

  writer = await store.writer('saved');
  t.is(writer.offset, first.byteLength + 700 * KiB);
  await writer.write(second.subarray(700 * KiB, 1400 * KiB));
  await writer.close();
  await store.close();

  store = await open(t, dir);
  const report = await store.collectGarbage({ minLiveFraction: 1 });
  t.true(report.packsDeleted >= 0);
  writer = await store.writer('saved');
  t.is(writer.offset, first.byteLength + 1400 * KiB);
  await writer.write(second.subarray(1400 * KiB));
  const result = await writer.commit();
  t.true(result.created);
  t.deepEqual(await readAll(store, sha256(whole)), whole);
  await store.collectGarbage({ minLiveFraction: 1 });
  t.deepEqual(await readAll(store, sha256(whole)), whole);
  t.deepEqual((await store.fsck()).damage, []);
});

test('reads in progress finish while compaction moves their chunks', async (t) => {
  const dir = await tempDir(t);
  const store = await open(t, dir);
  const keep = seededBytes('reader-keep', 3 * MiB);
  await writeBlob(store, pieces(keep));
  const drop = seededBytes('reader-drop', 3 * MiB);
  await writeBlob(store, pieces(drop));
  await store.delete(sha256(drop));
  const reads = Array.from({ length: 4 }, async () => {
    const read = await store.read(sha256(keep));
    const got: Buffer[] = [];
    for await (const piece of read.body) {
      got.push(piece as Buffer);
      // Slow readers: compaction runs between their pieces.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Buffer.concat(got);
  });
  const report = await store.collectGarbage({ minLiveFraction: 1 });
  t.true(report.packsDeleted > 0);
  for (const got of await Promise.all(reads)) t.deepEqual(got, keep);
});

test('deleted blobs leave the hot cache, and GC drops cached copies of blobs the store lacks', async (t) => {
  const dir = await tempDir(t);
  let store = await open(t, dir, { ...SMALL_PACKS, hotCacheBytes: 16 * MiB });
  const data = seededBytes('hot', 2 * MiB);
  await writeBlob(store, pieces(data));
  t.deepEqual(await readAll(store, sha256(data)), data);
  t.is((await store.stats()).hotCacheBytes, 2 * MiB);
  await store.delete(sha256(data));
  t.is((await store.stats()).hotCacheBytes, 0);
  await store.close();

  // A copy left behind (a crash between a delete and its cache removal).
  const stale = seededBytes('stale', 1 * MiB);
  await writeFile(join(dir, 'cache', `blob-sha256-${hex(stale)}`), stale);
  store = await open(t, dir, { ...SMALL_PACKS, hotCacheBytes: 16 * MiB });
  t.is((await store.stats()).hotCacheBytes, 1 * MiB);
  await store.collectGarbage();
  t.is((await store.stats()).hotCacheBytes, 0);
  t.deepEqual(await readdir(join(dir, 'cache')), []);
});

test('a store whose blobs are all deleted shrinks to an empty pack: the open pack is sealed and compacted too', async (t) => {
  const dir = await tempDir(t);
  // The default pack size: everything stays in the open pack.
  let store = await open(t, dir, { compressThreads: 0, hotCacheBytes: 0 });
  const blobs = [seededBytes('gone-1', 2 * MiB), seededBytes('gone-2', 1 * MiB)];
  for (const bytes of blobs) await writeBlob(store, pieces(bytes));
  t.is(await packCount(dir), 1);
  for (const bytes of blobs) await store.delete(sha256(bytes));

  const report = await store.collectGarbage();
  t.is(report.packsDeleted, 1);
  const after = await store.stats();
  t.is(after.blobs, 0);
  t.is(after.packs, 1);
  const packBytes = (await Promise.all((await readdir(join(dir, 'packs'))).map((name) => stat(join(dir, 'packs', name))))).reduce((sum, file) => sum + file.size, 0);
  t.true(packBytes < 4 * KiB, `${packBytes} bytes of packs`);
  t.true((await store.fsck()).ok);

  // Writes go on in the next pack, and survive a reopen.
  const kept = seededBytes('kept', 600 * KiB);
  await writeBlob(store, pieces(kept));
  await store.close();
  store = await open(t, dir, { compressThreads: 0, hotCacheBytes: 0 });
  t.deepEqual(await readAll(store, sha256(kept)), kept);
  t.true((await store.fsck()).ok);
});
