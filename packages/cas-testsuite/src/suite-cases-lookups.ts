import { digestBytes } from '@strata/digest';
import { isInvalidArgument, isNotFound } from '@strata/errors';
import { seededBytes } from './seeded-bytes.ts';
import { type SuiteCase, drain, rejects } from './suite-support.ts';

const MALFORMED_DIGESTS = [
  '',
  'sha256',
  'sha256:abc',
  `sha256:${'A'.repeat(64)}`,
  `sha256:${'g'.repeat(64)}`,
  `md5:${'a'.repeat(32)}`,
  `sha512:${'a'.repeat(64)}`,
  ` sha256:${'a'.repeat(64)}`,
];

export const lookupCases: SuiteCase[] = [
  {
    title: 'a missing blob is NotFound to read, stat and delete',
    async run(t, { store }) {
      const absent = digestBytes(seededBytes('never-written', 100));
      await rejects(t, () => store.read(absent), isNotFound, 'read');
      await rejects(t, () => store.read(absent, { offset: 10, length: 10 }), isNotFound, 'ranged read');
      await rejects(t, () => store.stat(absent), isNotFound, 'stat');
      await rejects(t, () => store.delete(absent), isNotFound, 'delete');
      t.deepEqual(await store.findMissing([absent]), [absent]);
    },
  },
  {
    title: 'a malformed digest is InvalidArgument everywhere',
    async run(t, { store }) {
      for (const bad of MALFORMED_DIGESTS) {
        const what = JSON.stringify(bad);
        await rejects(t, () => store.read(bad), isInvalidArgument, `read ${what}`);
        await rejects(t, () => store.stat(bad), isInvalidArgument, `stat ${what}`);
        await rejects(t, () => store.delete(bad), isInvalidArgument, `delete ${what}`);
        await rejects(t, () => store.findMissing([digestBytes(new Uint8Array()), bad]), isInvalidArgument, `findMissing ${what}`);
      }
      // A store may refuse the bad expectation when the writer opens or when it commits.
      await rejects(
        t,
        async () => {
          const writer = await store.writer('bad-expected', { expected: { digest: 'sha256:abc' } });
          try {
            await writer.write(Buffer.from('x'));
            await writer.commit();
          } finally {
            await writer.abort();
          }
        },
        isInvalidArgument,
        'writer expecting a malformed digest',
      );
      t.deepEqual(await drain(store.list()), []);
    },
  },
];
