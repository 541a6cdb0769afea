import { isNotFound } from '@strata/errors';
import { seededBytes } from './seeded-bytes.ts';
import { KiB, MiB, type SuiteCase, drain, put, readAll, rejects, sameBytes } from './suite-support.ts';

export const manageCases: SuiteCase[] = [
  {
    title: 'a deleted blob is NotFound at once, and deleting it again is NotFound',
    async run(t, { store }) {
      const bytes = seededBytes('deleted', 80 * KiB);
      const { digest } = await put(store, bytes, 'deleted');
      await store.delete(digest);
      await rejects(t, () => store.read(digest), isNotFound, 'read after delete');
      await rejects(t, () => store.stat(digest), isNotFound, 'stat after delete');
      await rejects(t, () => store.delete(digest), isNotFound, 'second delete');
      t.deepEqual(await store.findMissing([digest]), [digest]);
      t.deepEqual(await drain(store.list()), []);

      // The same content can be stored again afterwards.
      t.deepEqual(await put(store, bytes, 'deleted-again'), { digest, size: bytes.byteLength, created: true });
      sameBytes(t, await readAll(store, digest), bytes);
    },
  },
  {
    title: 'deleting one of two blobs that share content leaves the other intact',
    async run(t, { store }) {
      const shared = seededBytes('shared', 2 * MiB);
      const longer = Buffer.concat([shared, seededBytes('shared-tail', MiB)]);
      const small = shared.subarray(0, 10 * KiB);
      const a = await put(store, shared, 'shared-a');
      const b = await put(store, longer, 'shared-b');
      const c = await put(store, small, 'shared-c');

      await store.delete(a.digest);
      await rejects(t, () => store.read(a.digest), isNotFound, 'read of the deleted blob');
      sameBytes(t, await readAll(store, b.digest), longer);
      sameBytes(t, await readAll(store, c.digest), small);

      await store.delete(b.digest);
      sameBytes(t, await readAll(store, c.digest), small);
      t.deepEqual(
        (await drain(store.list())).map((blob) => blob.digest),
        [c.digest],
      );
    },
  },
  {
    title: 'list yields every blob once, in digest order',
    async run(t, { store }) {
      const expected = new Map<string, number>();
      for (let i = 0; i < 25; i++) {
        const bytes = seededBytes(`list-${i}`, i * 1500);
        const { digest } = await put(store, bytes, `list-${i}`);
        expected.set(digest, bytes.byteLength);
      }
      const blobs = await drain(store.list());
      const digests = blobs.map((blob) => blob.digest);
      t.deepEqual(digests, [...expected.keys()].sort());
      for (const blob of blobs) {
        t.is(blob.size, expected.get(blob.digest) ?? -1);
        t.true(blob.createdAt instanceof Date);
      }
    },
  },
  {
    title: 'admin figures count blobs and bytes, and fsck finds a healthy store healthy',
    async run(t, { store, admin }) {
      if (admin === undefined) {
        // The admin role is optional; a store without it has nothing to check here.
        t.pass();
        return;
      }
      const empty = await admin.stats();
      t.is(empty.blobs, 0);
      t.is(empty.logicalBytes, 0);
      t.is(empty.dedupRatio, 0);

      const sizes = [0, 1, 20 * KiB, 300 * KiB];
      let largest = '';
      for (const size of sizes) largest = (await put(store, seededBytes(`admin-${size}`, size), `admin-${size}`)).digest;
      const stats = await admin.stats();
      t.is(stats.blobs, sizes.length);
      t.is(stats.logicalBytes, sizes.reduce((sum, size) => sum + size, 0));
      t.true(stats.dedupRatio > 0);

      const report = await admin.fsck();
      t.true(report.ok);
      t.deepEqual(report.damage, []);
      t.deepEqual(report.damagedBlobs, []);
      t.is(report.blobsChecked, sizes.length);

      await store.delete(largest);
      const after = await admin.stats();
      t.is(after.blobs, sizes.length - 1);
      t.is(after.logicalBytes, 20 * KiB + 1);
      t.true((await admin.fsck()).ok);
    },
  },
  {
    title: 'garbage collection keeps live blobs bit-exact, leaves no garbage, and a dry run changes nothing',
    async run(t, { store, admin }) {
      if (admin === undefined) {
        t.pass();
        return;
      }
      const shared = seededBytes('gc-shared', MiB);
      const kept = Buffer.concat([shared, seededBytes('gc-kept', 200 * KiB)]);
      const gone = Buffer.concat([shared, seededBytes('gc-gone', 700 * KiB)]);
      const small = seededBytes('gc-small', 3 * KiB);
      const a = await put(store, kept, 'gc-kept');
      const b = await put(store, gone, 'gc-gone');
      const c = await put(store, small, 'gc-small');
      await store.delete(b.digest);

      const before = await admin.stats();
      const dry = await admin.collectGarbage({ dryRun: true });
      t.true(dry.dryRun);
      const unchanged = await admin.stats();
      t.is(unchanged.blobs, before.blobs);
      t.is(unchanged.garbageChunks, before.garbageChunks);
      t.is(unchanged.garbageBytes, before.garbageBytes);

      const report = await admin.collectGarbage();
      t.false(report.dryRun);
      t.is(report.chunksSwept, dry.chunksSwept);
      const after = await admin.stats();
      t.is(after.blobs, 2);
      t.is(after.logicalBytes, kept.byteLength + small.byteLength);
      t.is(after.garbageChunks, 0);
      t.is(after.garbageBytes, 0);
      sameBytes(t, await readAll(store, a.digest), kept);
      sameBytes(t, await readAll(store, c.digest), small);
      await rejects(t, () => store.stat(b.digest), isNotFound, 'the deleted blob after collection');
      t.is((await admin.collectGarbage()).chunksSwept, 0, 'nothing left to sweep');
      t.true((await admin.fsck()).ok);
    },
  },
];
