import test from 'ava';
import { isInvalidArgument } from '@strata/errors';
import {
  Chunker,
  type ChunkerOptions,
  DEFAULT_CHUNKER_OPTIONS,
  cutPoints,
  findCutPoint,
  validateChunkerOptions,
} from '@strata/chunker';

const KiB = 1024;

test('defaults are 16/64/256 KiB with normalization level 2, and frozen', (t) => {
  t.deepEqual({ ...DEFAULT_CHUNKER_OPTIONS }, { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 256 * KiB, normalization: 2 });
  t.true(Object.isFrozen(DEFAULT_CHUNKER_OPTIONS));
  t.deepEqual(validateChunkerOptions(DEFAULT_CHUNKER_OPTIONS), { ...DEFAULT_CHUNKER_OPTIONS });
});

test('normalization defaults to 2 and min/max need not be powers of two', (t) => {
  t.deepEqual(validateChunkerOptions({ minSize: 1000, avgSize: 4096, maxSize: 10_000 }), {
    minSize: 1000,
    avgSize: 4096,
    maxSize: 10_000,
    normalization: 2,
  });
  t.is(validateChunkerOptions({ minSize: 64, avgSize: 128, maxSize: 129, normalization: 0 }).normalization, 0);
});

const invalid: Array<[string, unknown]> = [
  ['avgSize not a power of two', { minSize: 16 * KiB, avgSize: 60 * KiB, maxSize: 256 * KiB }],
  ['minSize equal to avgSize', { minSize: 64 * KiB, avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['minSize above avgSize', { minSize: 128 * KiB, avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['maxSize equal to avgSize', { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 64 * KiB }],
  ['maxSize below avgSize', { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 32 * KiB }],
  ['minSize below the hash window', { minSize: 16, avgSize: 64, maxSize: 256 }],
  ['minSize zero', { minSize: 0, avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['negative minSize', { minSize: -1, avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['fractional minSize', { minSize: 16384.5, avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['NaN maxSize', { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: Number.NaN }],
  ['infinite maxSize', { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: Number.POSITIVE_INFINITY }],
  ['maxSize above 1 GiB', { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 1024 * 1024 * KiB + 1 }],
  ['string size', { minSize: '16384', avgSize: 64 * KiB, maxSize: 256 * KiB }],
  ['missing avgSize', { minSize: 16 * KiB, maxSize: 256 * KiB }],
  ['negative normalization', { ...DEFAULT_CHUNKER_OPTIONS, normalization: -1 }],
  ['fractional normalization', { ...DEFAULT_CHUNKER_OPTIONS, normalization: 1.5 }],
  ['normalization leaving no loose mask bits', { minSize: 64, avgSize: 128, maxSize: 256, normalization: 7 }],
  ['normalization past 32 strict mask bits', { minSize: 64, avgSize: 1 << 30, maxSize: 1024 * 1024 * KiB, normalization: 3 }],
  ['null', null],
  ['a number', 65536],
];

for (const [name, options] of invalid) {
  test(`rejects ${name} with InvalidArgument`, (t) => {
    const bad = options as ChunkerOptions;
    t.true(isInvalidArgument(t.throws(() => validateChunkerOptions(bad))));
    t.true(isInvalidArgument(t.throws(() => new Chunker(bad))));
    t.true(isInvalidArgument(t.throws(() => cutPoints(new Uint8Array(10), bad))));
    t.true(isInvalidArgument(t.throws(() => findCutPoint(new Uint8Array(10), 0, 10, bad, true))));
  });
}

test('a Chunker reports the options it resolved', (t) => {
  const chunker = new Chunker({ minSize: 8 * KiB, avgSize: 32 * KiB, maxSize: 128 * KiB });
  t.deepEqual({ ...chunker.options }, { minSize: 8 * KiB, avgSize: 32 * KiB, maxSize: 128 * KiB, normalization: 2 });
  t.deepEqual({ ...new Chunker().options }, { ...DEFAULT_CHUNKER_OPTIONS });
});
