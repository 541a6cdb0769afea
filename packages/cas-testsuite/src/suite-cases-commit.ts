import { digestBytes } from '@strata/digest';
import { isDigestMismatch, isNotFound, isOutOfRange, isSizeMismatch } from '@strata/errors';
import { seededBytes } from './seeded-bytes.ts';
import { KiB, type SuiteCase, drain, put, readAll, rejects, sameBytes } from './suite-support.ts';

export const commitCases: SuiteCase[] = [
  {
    title: 'commit against the wrong digest is DigestMismatch and stores nothing',
    async run(t, { store }) {
      const bytes = seededBytes('wrong-digest', 40 * KiB);
      const actual = digestBytes(bytes);
      const claimed = digestBytes(seededBytes('something-else', 40 * KiB));
      const writer = await store.writer('wrong-digest');
      await writer.write(bytes);
      await rejects(t, () => writer.commit({ digest: claimed, size: bytes.byteLength }), isDigestMismatch, 'commit');
      await rejects(t, () => store.stat(actual), isNotFound, 'stat of the content');
      await rejects(t, () => store.stat(claimed), isNotFound, 'stat of the claimed digest');
      t.deepEqual(await store.findMissing([actual, claimed]), [actual, claimed]);
      await rejects(t, () => store.status('wrong-digest'), isNotFound, 'status of the ended write');
      await writer.abort();
      t.deepEqual(await drain(store.list()), []);
    },
  },
  {
    title: 'commit against the wrong size is SizeMismatch and stores nothing',
    async run(t, { store }) {
      const bytes = seededBytes('wrong-size', 20 * KiB);
      const digest = digestBytes(bytes);

      const short = await store.writer('wrong-size-short', { expected: { size: bytes.byteLength + 1 } });
      await short.write(bytes);
      await rejects(t, () => short.commit(), isSizeMismatch, 'commit short of the expected size');

      const claimed = await store.writer('wrong-size-claimed');
      await claimed.write(bytes);
      await rejects(t, () => claimed.commit({ digest, size: bytes.byteLength - 1 }), isSizeMismatch, 'commit with a smaller size');

      await rejects(t, () => store.stat(digest), isNotFound, 'stat');
      t.deepEqual(await store.findMissing([digest]), [digest]);
      await rejects(t, () => store.status('wrong-size-short'), isNotFound, 'status of the ended write');
      t.deepEqual(await drain(store.list()), []);
    },
  },
  {
    title: 'writing past the expected size is OutOfRange',
    async run(t, { store }) {
      const writer = await store.writer('overflow', { expected: { size: 10 } });
      await writer.write(Buffer.alloc(8, 1));
      await rejects(t, () => writer.write(Buffer.alloc(5, 2)), isOutOfRange, 'write crossing the expected size');
      await writer.abort();
      t.deepEqual(await drain(store.list()), []);
      t.deepEqual(await store.listIngests(), []);
    },
  },
  {
    title: 'committing content the store already holds succeeds with created false',
    async run(t, { store }) {
      const bytes = seededBytes('again', 30 * KiB);
      const first = await put(store, bytes, 'again-1');
      t.true(first.created);
      const createdAt = (await store.stat(first.digest)).createdAt;

      const second = await put(store, bytes, 'again-2', { digest: first.digest, size: bytes.byteLength });
      t.deepEqual(second, { digest: first.digest, size: bytes.byteLength, created: false });

      const blobs = await drain(store.list());
      t.deepEqual(
        blobs.map((blob) => blob.digest),
        [first.digest],
      );
      t.is((await store.stat(first.digest)).createdAt.getTime(), createdAt.getTime(), 'createdAt is the first commit');
      sameBytes(t, await readAll(store, first.digest), bytes);
      t.deepEqual(await store.listIngests(), []);
    },
  },
  {
    title: 'a write resumed after close that turns out to hold stored content commits, and the next write works',
    async run(t, { store }) {
      // A registry upload session: PATCH (the writer closed between requests), then the final PUT.
      for (const size of [600, 40 * KiB]) {
        const bytes = seededBytes(`resumed-${size}`, size);
        const first = await put(store, bytes, `resumed-${size}-a`);
        const writer = await store.writer(`resumed-${size}-b`);
        await writer.write(bytes);
        await writer.close();
        const resumed = await store.writer(`resumed-${size}-b`);
        t.deepEqual(await resumed.commit({ digest: first.digest }), { digest: first.digest, size, created: false });
        t.deepEqual(await store.listIngests(), []);
        const next = await put(store, seededBytes(`after-${size}`, size), `after-${size}`);
        t.true(next.created);
      }
    },
  },
  {
    title: 'concurrent writers of the same content both succeed and store it once',
    async run(t, { store }) {
      const bytes = seededBytes('race', 200 * KiB);
      const digest = digestBytes(bytes);
      const writers = await Promise.all([store.writer('race-a'), store.writer('race-b')]);
      for (let offset = 0; offset < bytes.byteLength; offset += 16 * KiB) {
        await Promise.all(writers.map((writer) => writer.write(bytes.subarray(offset, offset + 16 * KiB))));
      }
      const results = await Promise.all(writers.map((writer) => writer.commit({ digest })));
      for (const result of results) {
        t.is(result.digest, digest);
        t.is(result.size, bytes.byteLength);
      }
      t.true(
        results.some((result) => result.created),
        'at least one writer created the blob',
      );
      t.deepEqual(
        (await drain(store.list())).map((blob) => blob.digest),
        [digest],
      );
      sameBytes(t, await readAll(store, digest), bytes);
    },
  },
];
