import { digestBytes } from '@strata/digest';
import { type StrataError, isNotFound, isOutOfRange, isUnavailable } from '@strata/errors';
import { seededBytes } from './seeded-bytes.ts';
import { KiB, type SuiteCase, drain, readAll, rejects, sameBytes } from './suite-support.ts';

export const ingestCases: SuiteCase[] = [
  {
    title: 'abort is idempotent and leaves nothing visible',
    async run(t, { store }) {
      const bytes = seededBytes('aborted', 50 * KiB);
      const digest = digestBytes(bytes);
      const writer = await store.writer('aborted');
      await writer.write(bytes);
      await writer.abort();
      await writer.abort();
      await rejects(t, () => store.stat(digest), isNotFound, 'stat of aborted content');
      await rejects(t, () => store.status('aborted'), isNotFound, 'status after abort');
      t.deepEqual(await store.findMissing([digest]), [digest]);
      t.deepEqual(await drain(store.list()), []);
      t.deepEqual(await store.listIngests(), []);

      // The ref is free again and starts from zero.
      const fresh = await store.writer('aborted');
      t.is(fresh.offset, 0);
      await fresh.abort();
    },
  },
  {
    title: 'abortIngest ends a write by ref and accepts unknown refs',
    async run(t, { store }) {
      await store.abortIngest('never-opened');
      await store.abortIngest('never-opened');

      const writer = await store.writer('by-ref');
      await writer.write(Buffer.alloc(100, 7));
      await writer.close();
      await store.abortIngest('by-ref');
      await rejects(t, () => store.status('by-ref'), isNotFound, 'status after abortIngest');
      await store.abortIngest('by-ref');
      t.deepEqual(await store.listIngests(), []);
    },
  },
  {
    title: 'a ref held by an open writer is Unavailable until closed, then resumes at its offset',
    async run(t, { store }) {
      const bytes = seededBytes('resume', 100 * KiB);
      const digest = digestBytes(bytes);
      const first = await store.writer('resume', { expected: { size: bytes.byteLength } });
      await first.write(bytes.subarray(0, 30 * KiB));

      const busy = await rejects(t, () => store.writer('resume'), isUnavailable, 'second writer on a held ref');
      t.is(typeof (busy as StrataError | undefined)?.details.heldForMs, 'number', 'Unavailable says how long the ref is held');

      await first.close();
      await first.close();
      const status = await store.status('resume');
      t.is(status.ref, 'resume');
      t.is(status.offset, 30 * KiB);
      t.is(status.expected.size, bytes.byteLength);
      t.true(status.startedAt instanceof Date && status.updatedAt instanceof Date);
      t.true(status.updatedAt.getTime() >= status.startedAt.getTime());

      const resumed = await store.writer('resume');
      t.is(resumed.offset, 30 * KiB);
      await rejects(t, () => resumed.write(bytes.subarray(20 * KiB), 20 * KiB), isOutOfRange, 'write behind the offset');
      await rejects(t, () => resumed.write(bytes.subarray(40 * KiB), 40 * KiB), isOutOfRange, 'write ahead of the offset');
      t.is(resumed.offset, 30 * KiB, 'a refused write moves nothing');
      await resumed.write(bytes.subarray(30 * KiB, 60 * KiB), 30 * KiB);
      await resumed.write(bytes.subarray(60 * KiB));
      t.deepEqual(await resumed.commit({ digest }), { digest, size: bytes.byteLength, created: true });
      sameBytes(t, await readAll(store, digest), bytes);
      await rejects(t, () => store.status('resume'), isNotFound, 'status after commit');
    },
  },
  {
    title: 'listIngests shows the writes in progress',
    async run(t, { store }) {
      const one = await store.writer('listed-1', { expected: { size: 1000 } });
      const two = await store.writer('listed-2');
      await one.write(Buffer.alloc(300, 1));
      await two.write(Buffer.alloc(20, 2));
      await two.close();

      const ingests = await store.listIngests();
      t.deepEqual(
        ingests.map((ingest) => [ingest.ref, ingest.offset]).sort(),
        [
          ['listed-1', 300],
          ['listed-2', 20],
        ],
      );
      t.is(ingests.find((ingest) => ingest.ref === 'listed-1')?.expected.size, 1000);

      await one.abort();
      await store.abortIngest('listed-2');
      t.deepEqual(await store.listIngests(), []);
    },
  },
];
