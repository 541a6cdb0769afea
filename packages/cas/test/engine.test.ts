import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, isUnavailable, isDataLoss } from '@strata/errors';
import { openStore, readBytes, writeBlob } from '@strata/cas';
import { pieces, seededBytes, sha256, tempDir } from './support.ts';

const MiB = 1024 * 1024;

test('the same 100 MiB ingested twice is stored once', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const data = seededBytes('hundred', 100 * MiB);
  const first = await writeBlob(store, pieces(data, MiB), { digest: sha256(data) });
  t.true(first.created);
  const before = await store.stats();
  const second = await writeBlob(store, pieces(data, 3 * MiB + 17), {}, { ref: 'again' });
  t.false(second.created);
  t.is(second.digest, first.digest);
  const after = await store.stats();
  t.true(after.storedBytes - before.storedBytes < before.storedBytes * 0.01, `grew ${after.storedBytes - before.storedBytes}`);
  t.is(after.blobs, 1);
  t.is(after.logicalBytes, 100 * MiB);
});

test('two files differing by 1 KiB inserted in the middle share > 95% of their chunks', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const original = seededBytes('insert', 32 * MiB);
  const edited = Buffer.concat([original.subarray(0, 16 * MiB), seededBytes('kib', 1024), original.subarray(16 * MiB)]);
  await writeBlob(store, pieces(original));
  const afterFirst = await store.stats();
  await writeBlob(store, pieces(edited));
  const afterSecond = await store.stats();
  const newChunks = afterSecond.chunks - afterFirst.chunks;
  t.true(newChunks / afterFirst.chunks < 0.05, `${newChunks} new chunks of ${afterFirst.chunks}`);
  const newBytes = afterSecond.uniqueBytes - afterFirst.uniqueBytes;
  t.true(newBytes < edited.byteLength * 0.05, `${newBytes} new unique bytes`);
});

test('blobs survive a reopen, small ones inline and large ones chunked', async (t) => {
  const dir = await tempDir(t);
  const small = Buffer.from('a small manifest');
  const large = seededBytes('large', 3 * MiB);
  let store = await openStore(dir);
  await writeBlob(store, [small]);
  await writeBlob(store, pieces(large, 100_000));
  const stats = await store.stats();
  t.is(stats.blobs, 2);
  t.is(stats.uniqueBytes, small.byteLength + large.byteLength);
  await store.close();
  store = await openStore(dir);
  t.teardown(() => store.close());
  t.deepEqual(await readBytes(store, sha256(small)), small);
  t.deepEqual(await readBytes(store, sha256(large), 10 * MiB), large);
  t.is(store.openReport.tornBytes, 0);
  t.true((await store.fsck()).ok);
});

test('a second process-level open of the same store is refused', async (t) => {
  const dir = await tempDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const error = await t.throwsAsync(openStore(dir));
  t.true(isUnavailable(error));
});

test('delete makes the blob unreadable and its unique chunks garbage', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const shared = seededBytes('shared', 2 * MiB);
  const a = Buffer.concat([shared, seededBytes('a', 2 * MiB)]);
  const b = Buffer.concat([shared, seededBytes('b', 2 * MiB)]);
  await writeBlob(store, pieces(a));
  await writeBlob(store, pieces(b));
  const before = await store.stats();
  await store.delete(sha256(a));
  t.true(isNotFound(await t.throwsAsync(store.read(sha256(a)))));
  t.deepEqual(await readBytes(store, sha256(b), 10 * MiB), b);
  const after = await store.stats();
  t.is(after.blobs, 1);
  t.true(after.garbageBytes > MiB && after.garbageBytes < 3 * MiB, `garbage ${after.garbageBytes}`);
  t.is(before.garbageBytes, 0);
  t.true((await store.fsck()).ok);
});

test('a blob stored again after delete comes back', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const data = seededBytes('again', MiB);
  await writeBlob(store, [data]);
  await store.delete(sha256(data));
  const result = await writeBlob(store, [data]);
  t.true(result.created);
  const stats = await store.stats();
  t.is(stats.garbageBytes, 0);
  t.deepEqual(await readBytes(store, sha256(data), 2 * MiB), data);
  t.true((await store.fsck()).ok);
});

test('a torn pack tail is cut on open and the store stays whole', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir);
  const data = seededBytes('torn', 2 * MiB);
  await writeBlob(store, [data]);
  await store.close();
  const packs = join(dir, 'packs');
  const [pack] = (await readdir(packs)).sort().reverse();
  const { appendFile } = await import('node:fs/promises');
  // Half a record head and some garbage, as a crash mid-append leaves.
  await appendFile(join(packs, pack!), Buffer.concat([Buffer.from([0x53, 0x54, 0x52, 0x31, 1, 1]), seededBytes('junk', 5000)]));
  store = await openStore(dir);
  t.teardown(() => store.close());
  t.is(store.openReport.tornBytes, 5006);
  t.deepEqual(await readBytes(store, sha256(data), 4 * MiB), data);
  await writeBlob(store, [seededBytes('after', MiB)]);
  t.true((await store.fsck()).ok);
});

test('damaged chunk bytes are DataLoss on read and in fsck, never served', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir, { zstdLevel: 3, hotCacheBytes: 0 });
  const damaged = seededBytes('damaged', 4 * MiB);
  const intact = Buffer.from('x'.repeat(100_000));
  await writeBlob(store, [damaged]);
  await writeBlob(store, [intact]);
  await store.close();
  const packs = join(dir, 'packs');
  const [pack] = await readdir(packs);
  const path = join(packs, pack!);
  const bytes = await readFile(path);
  bytes[2 * MiB] = bytes[2 * MiB]! ^ 0xff;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, bytes);
  // No hot cache: the read must come from the damaged pack.
  store = await openStore(dir, { hotCacheBytes: 0 });
  t.teardown(() => store.close());
  const report = await store.fsck();
  t.false(report.ok);
  t.deepEqual(report.damagedBlobs, [sha256(damaged)]);
  const read = await store.read(sha256(damaged));
  const error = await t.throwsAsync(async () => {
    for await (const piece of read.body) void piece;
  });
  t.true(isDataLoss(error));
  t.deepEqual(await readBytes(store, sha256(intact)), intact);
});

test('the index is rebuilt from the packs alone', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir, { targetPackBytes: 4 * MiB });
  const blobs = [seededBytes('r1', 5 * MiB), seededBytes('r2', 3 * MiB), Buffer.from('tiny'), seededBytes('r3', MiB)];
  for (const blob of blobs) await writeBlob(store, pieces(blob));
  await store.delete(sha256(blobs[1]!));
  const before = await store.stats();
  await store.close();
  const { rm } = await import('node:fs/promises');
  await rm(join(dir, 'index'), { recursive: true });
  store = await openStore(dir);
  t.teardown(() => store.close());
  // Opening replays the packs into the empty index...
  t.is(store.openReport.replay.blobs, 4);
  t.is(store.openReport.replay.deletes, 1);
  t.is((await store.stats()).blobs, 3);
  t.true((await store.fsck()).ok);
  // ...and a full rebuild, which also checks every chunk, gives the same index.
  const report = await store.rebuildIndex();
  t.deepEqual(report.lostBlobs, []);
  t.is(report.blobs, 3);
  t.true(report.packs > 1);
  const after = await store.stats();
  t.is(after.blobs, before.blobs);
  t.is(after.chunks, before.chunks);
  t.is(after.logicalBytes, before.logicalBytes);
  t.is(after.garbageBytes, before.garbageBytes);
  for (const blob of [blobs[0]!, blobs[2]!, blobs[3]!]) t.deepEqual(await readBytes(store, sha256(blob), 8 * MiB), blob);
  t.true(isNotFound(await t.throwsAsync(store.stat(sha256(blobs[1]!)))));
  t.true((await store.fsck()).ok);
});

test('settings are fixed at creation and recorded', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir, { chunker: { minSize: 4096, avgSize: 16384, maxSize: 65536 }, zstdLevel: 1 });
  await store.close();
  store = await openStore(dir, { zstdLevel: 9 });
  t.teardown(() => store.close());
  t.is(store.settings.zstdLevel, 1);
  t.is(store.settings.chunker.avgSize, 16384);
  const format = JSON.parse(await readFile(join(dir, 'FORMAT'), 'utf8')) as { version: number };
  t.is(format.version, 1);
});

test('hot blobs are served from the cache, which is bounded, verified and dropped on delete', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir, { hotCacheBytes: 8 * MiB, cacheIngests: true });
  t.teardown(() => store.close());
  const blobs = [seededBytes('hot1', 2 * MiB), seededBytes('hot2', 2 * MiB), seededBytes('hot3', 2 * MiB)];
  // Pushed blobs enter the cache as they are written: a pull usually follows a push.
  for (const blob of blobs) await writeBlob(store, pieces(blob));
  t.is((await store.stats()).hotCacheBytes, 6 * MiB);
  for (const blob of blobs) t.deepEqual(await readBytes(store, sha256(blob), 4 * MiB), blob);
  t.is((await store.stats()).hotCacheBytes, 6 * MiB);
  for (const blob of blobs) t.deepEqual(await readBytes(store, sha256(blob), 4 * MiB), blob);
  const ranged = await store.read(sha256(blobs[0]!), { offset: MiB - 5, length: 10 });
  const pieces_: Buffer[] = [];
  for await (const piece of ranged.body) pieces_.push(piece as Buffer);
  t.deepEqual(Buffer.concat(pieces_), blobs[0]!.subarray(MiB - 5, MiB + 5));
  await writeBlob(store, pieces(seededBytes('hot4', 3 * MiB)));
  await readBytes(store, sha256(seededBytes('hot4', 3 * MiB)), 4 * MiB);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.true((await store.stats()).hotCacheBytes! <= 8 * MiB);
  // A cached copy found at start-up is hashed on its first whole read: a
  // damaged one fails that read with DataLoss and is dropped; the next read rebuilds it.
  await store.close();
  const cached = join(dir, 'cache', `blob-${sha256(blobs[2]!).replace(':', '-')}`);
  const bytes = await readFile(cached);
  bytes[10] = bytes[10]! ^ 1;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(cached, bytes);
  store = await openStore(dir, { hotCacheBytes: 8 * MiB, cacheIngests: true });
  t.true(isDataLoss(await t.throwsAsync(readBytes(store, sha256(blobs[2]!), 4 * MiB))));
  t.deepEqual(await readBytes(store, sha256(blobs[2]!), 4 * MiB), blobs[2]!);
  await store.delete(sha256(blobs[2]!));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.false((await readdir(join(dir, 'cache'))).some((name) => name.includes(sha256(blobs[2]!).slice(7))));
});

test('records past the index\'s durable point are replayed on open', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir);
  const kept = seededBytes('kept', 3 * MiB);
  await writeBlob(store, pieces(kept));
  await store.close();
  // An older copy of the index: as if the machine crashed before the index's
  // last transactions reached the disk.
  const { cp, rm } = await import('node:fs/promises');
  await cp(join(dir, 'index'), join(dir, 'index-before'), { recursive: true });
  store = await openStore(dir);
  const later = seededBytes('later', 2 * MiB);
  await writeBlob(store, pieces(later));
  await writeBlob(store, [Buffer.from('small and later')]);
  await store.delete(sha256(kept));
  await store.close();
  await rm(join(dir, 'index'), { recursive: true });
  await cp(join(dir, 'index-before'), join(dir, 'index'), { recursive: true });
  store = await openStore(dir);
  t.teardown(() => store.close());
  t.is(store.openReport.replay.blobs, 2);
  t.is(store.openReport.replay.deletes, 1);
  t.deepEqual(await readBytes(store, sha256(later), 4 * MiB), later);
  t.deepEqual((await readBytes(store, sha256(Buffer.from('small and later')))).toString(), 'small and later');
  t.true(isNotFound(await t.throwsAsync(store.stat(sha256(kept)))));
  t.true((await store.fsck()).ok);
});

test('without cacheIngests only reads fill the hot cache', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const blob = seededBytes('read-only cache', 3 * MiB);
  await writeBlob(store, pieces(blob));
  t.is((await store.stats()).hotCacheBytes, 0);
  t.deepEqual(await readBytes(store, sha256(blob), 4 * MiB), blob);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is((await store.stats()).hotCacheBytes, 3 * MiB);
});
