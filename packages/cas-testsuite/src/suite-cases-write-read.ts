import { readBytes, writeBlob } from '@strata/cas';
import { digestBytes } from '@strata/digest';
import { isDigestMismatch, isResourceExhausted } from '@strata/errors';
import { SeededBytes, seededBytes } from './seeded-bytes.ts';
import { KiB, MiB, type SuiteCase, collect, put, putInPieces, readAll, rejects, sameBytes } from './suite-support.ts';

/** The store's inline/chunked threshold in the engine; the cases straddle it. */
const INLINE_LIMIT = 16 * KiB;

export const writeReadCases: SuiteCase[] = [
  {
    title: 'write, read whole, stat and findMissing agree on a committed blob',
    async run(t, { store }) {
      const bytes = seededBytes('basic', 3000);
      const digest = digestBytes(bytes);
      const writer = await store.writer('basic', { expected: { size: bytes.byteLength } });
      t.is(writer.ref, 'basic');
      t.is(writer.offset, 0);
      await writer.write(bytes.subarray(0, 1000));
      t.is(writer.offset, 1000);
      await writer.write(bytes.subarray(1000));
      t.is(writer.offset, 3000);
      t.deepEqual(await writer.commit({ digest }), { digest, size: 3000, created: true });

      const stat = await store.stat(digest);
      t.is(stat.digest, digest);
      t.is(stat.size, 3000);
      t.true(stat.createdAt instanceof Date && !Number.isNaN(stat.createdAt.getTime()));

      const read = await store.read(digest);
      t.is(read.offset, 0);
      t.is(read.length, 3000);
      t.is(read.stat.digest, digest);
      t.is(read.stat.size, 3000);
      sameBytes(t, await collect(read.body), bytes);

      const absent = digestBytes(seededBytes('absent', 10));
      t.deepEqual(await store.findMissing([absent, digest, absent]), [absent, absent]);
      t.deepEqual(await store.findMissing([digest]), []);
      t.deepEqual(await store.findMissing([]), []);
    },
  },
  {
    title: 'a commit without expectations names the blob by its sha256',
    async run(t, { store }) {
      const bytes = seededBytes('unexpected', 500);
      const result = await put(store, bytes, 'unexpected');
      t.deepEqual(result, { digest: digestBytes(bytes), size: 500, created: true });
      sameBytes(t, await readAll(store, result.digest), bytes);
    },
  },
  {
    title: 'the empty blob',
    async run(t, { store }) {
      const digest = digestBytes(new Uint8Array());
      const writer = await store.writer('empty');
      t.deepEqual(await writer.commit({ digest, size: 0 }), { digest, size: 0, created: true });
      t.is((await store.stat(digest)).size, 0);
      const read = await store.read(digest);
      t.is(read.length, 0);
      t.is((await collect(read.body)).byteLength, 0);
      t.deepEqual(await store.findMissing([digest]), []);
    },
  },
  {
    title: 'a one-byte blob',
    async run(t, { store }) {
      const bytes = Buffer.from([0x5a]);
      const result = await put(store, bytes, 'one', { digest: digestBytes(bytes), size: 1 });
      t.is(result.size, 1);
      t.is((await store.stat(result.digest)).size, 1);
      sameBytes(t, await readAll(store, result.digest), bytes);
      sameBytes(t, await collect((await store.read(result.digest, { offset: 0, length: 1 })).body), bytes);
    },
  },
  {
    title: 'blobs either side of the inline size limit',
    async run(t, { store }) {
      for (const size of [100, INLINE_LIMIT - 1, INLINE_LIMIT, INLINE_LIMIT + 1, 64 * KiB, 300 * KiB]) {
        const bytes = seededBytes(`inline-${size}`, size);
        const result = await put(store, bytes, `inline-${size}`, { digest: digestBytes(bytes), size });
        t.deepEqual(result, { digest: digestBytes(bytes), size, created: true }, `size ${size}`);
        t.is((await store.stat(result.digest)).size, size, `size ${size}`);
        sameBytes(t, await readAll(store, result.digest), bytes, `size ${size}`);
      }
    },
  },
  {
    title: 'several MiB written in many pieces of random sizes read back exactly',
    async run(t, { store }) {
      const random = new SeededBytes('pieces');
      const large = seededBytes('pieces-large', 6 * MiB + 12_345);
      const largeResult = await putInPieces(store, large, 'pieces-large', random, 300 * KiB, {
        digest: digestBytes(large),
      });
      t.is(largeResult.digest, digestBytes(large));
      sameBytes(t, await readAll(store, largeResult.digest), large);

      // Thousands of tiny writes: chunk boundaries land inside writes, never on them.
      const tiny = seededBytes('pieces-tiny', 256 * KiB);
      const tinyResult = await putInPieces(store, tiny, 'pieces-tiny', random, 97, { digest: digestBytes(tiny) });
      sameBytes(t, await readAll(store, tinyResult.digest), tiny);
    },
  },
  {
    title: 'a sha512 digest names the blob it was committed under',
    async run(t, { store }) {
      const bytes = seededBytes('sha512', 40 * KiB);
      const digest = digestBytes(bytes, 'sha512');
      const writer = await store.writer('sha512', { expected: { digest } });
      await writer.write(bytes);
      t.deepEqual(await writer.commit(), { digest, size: bytes.byteLength, created: true });
      t.is((await store.stat(digest)).size, bytes.byteLength);
      sameBytes(t, await readAll(store, digest), bytes);
      t.deepEqual(await store.findMissing([digest]), []);
    },
  },
  {
    title: 'the writeBlob and readBytes helpers work with the store',
    async run(t, { store }) {
      const bytes = seededBytes('helpers', 70 * KiB);
      const digest = digestBytes(bytes);
      async function* pieces() {
        for (let offset = 0; offset < bytes.byteLength; offset += 10 * KiB) yield bytes.subarray(offset, offset + 10 * KiB);
      }
      t.deepEqual(await writeBlob(store, pieces(), { digest, size: bytes.byteLength }), {
        digest,
        size: bytes.byteLength,
        created: true,
      });
      sameBytes(t, await readBytes(store, digest), bytes);
      await rejects(t, () => readBytes(store, digest, 1024), isResourceExhausted, 'readBytes over its cap');

      const wrong = digestBytes(seededBytes('helpers-other', 10));
      await rejects(
        t,
        () => writeBlob(store, [bytes], { digest: wrong }, { ref: 'helpers-wrong' }),
        isDigestMismatch,
        'writeBlob against the wrong digest',
      );
      t.deepEqual(await store.findMissing([wrong]), [wrong]);
      t.deepEqual(await store.listIngests(), []);
    },
  },
];
