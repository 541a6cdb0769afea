import type { ContentStore, ReadOptions } from '@strata/cas';
import { isInvalidArgument, isOutOfRange } from '@strata/errors';
import type { ExecutionContext } from 'ava';
import { SeededBytes, seededBytes } from './seeded-bytes.ts';
import { KiB, MiB, type SuiteCase, collect, put, putInPieces, rejects } from './suite-support.ts';

/** Reads a range and checks the reported range and the bytes against the source. */
async function expectRange(
  t: ExecutionContext,
  store: ContentStore,
  digest: string,
  source: Buffer,
  options: ReadOptions,
): Promise<void> {
  const offset = options.offset ?? 0;
  const end = options.length === undefined ? source.byteLength : Math.min(source.byteLength, offset + options.length);
  const what = `range offset=${options.offset} length=${options.length}`;
  const read = await store.read(digest, options);
  t.is(read.offset, offset, what);
  t.is(read.length, end - offset, what);
  t.is(read.stat.size, source.byteLength, what);
  const bytes = await collect(read.body);
  t.is(bytes.byteLength, end - offset, what);
  t.true(bytes.equals(source.subarray(offset, end)), `${what}: bytes differ from the source`);
}

export const rangeCases: SuiteCase[] = [
  {
    title: 'ranged reads: offset only, offset and length, clipped length, empty at the end',
    async run(t, { store }) {
      const source = seededBytes('ranges-small', 50 * KiB);
      const { digest } = await put(store, source, 'ranges-small');
      await expectRange(t, store, digest, source, { offset: 1000 });
      await expectRange(t, store, digest, source, { offset: 1000, length: 5000 });
      await expectRange(t, store, digest, source, { length: 1 });
      await expectRange(t, store, digest, source, { offset: 0, length: 0 });
      await expectRange(t, store, digest, source, { offset: 50 * KiB - 10, length: 1000 });
      await expectRange(t, store, digest, source, { offset: 50 * KiB });
      await expectRange(t, store, digest, source, { offset: 50 * KiB, length: 10 });
    },
  },
  {
    title: 'ranged reads: past the end is OutOfRange, negative or fractional values are InvalidArgument',
    async run(t, { store }) {
      const source = seededBytes('ranges-bad', 20 * KiB);
      const { digest } = await put(store, source, 'ranges-bad');
      await rejects(t, () => store.read(digest, { offset: 20 * KiB + 1 }), isOutOfRange, 'offset past the end');
      await rejects(t, () => store.read(digest, { offset: 10 * MiB, length: 1 }), isOutOfRange, 'offset far past the end');
      await rejects(t, () => store.read(digest, { offset: -1 }), isInvalidArgument, 'negative offset');
      await rejects(t, () => store.read(digest, { length: -1 }), isInvalidArgument, 'negative length');
      await rejects(t, () => store.read(digest, { offset: 1.5 }), isInvalidArgument, 'fractional offset');

      const empty = await put(store, new Uint8Array(), 'ranges-empty');
      await expectRange(t, store, empty.digest, Buffer.alloc(0), { offset: 0 });
      await rejects(t, () => store.read(empty.digest, { offset: 1 }), isOutOfRange, 'offset past an empty blob');
    },
  },
  {
    title: 'ranged reads across internal boundaries match the source for many random ranges',
    async run(t, { store }) {
      const random = new SeededBytes('ranges-random');
      const source = seededBytes('ranges-large', 5 * MiB + 777);
      const { digest } = await putInPieces(store, source, 'ranges-large', random, 512 * KiB);
      const size = source.byteLength;

      // Small windows around power-of-two offsets, where fixed-size layouts put boundaries.
      for (let boundary = 4 * KiB; boundary < size; boundary *= 2) {
        await expectRange(t, store, digest, source, { offset: boundary - 3, length: 7 });
      }
      for (let i = 0; i < 150; i++) {
        const offset = random.int(size + 1);
        const length = i % 3 === 0 ? random.int(64) : random.int(2 * MiB);
        await expectRange(t, store, digest, source, i % 10 === 0 ? { offset } : { offset, length });
      }
    },
  },
];
