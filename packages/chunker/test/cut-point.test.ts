import test from 'ava';
import { createHash } from 'node:crypto';
import { isInvalidArgument } from '@strata/errors';
import { type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, NEED_MORE_BYTES, cutPoints, findCutPoint } from '@strata/chunker';
import { seededBytes } from './helpers/seeded.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SMALL: ChunkerOptions = { minSize: 8 * KiB, avgSize: 32 * KiB, maxSize: 128 * KiB, normalization: 1 };
const OPTION_SETS: Array<[string, ChunkerOptions]> = [
  ['default options', DEFAULT_CHUNKER_OPTIONS],
  ['8/32/128 KiB, normalization 1', SMALL],
  ['non-power-of-two min/max, normalization 0', { minSize: 5000, avgSize: 16 * KiB, maxSize: 50_000, normalization: 0 }],
  ['normalization 3', { ...DEFAULT_CHUNKER_OPTIONS, normalization: 3 }],
];

const random = seededBytes(16 * MiB, 0x1234_5678);

function lengthsOf(ends: readonly number[]): number[] {
  return ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]!));
}

test('empty input has no chunks', (t) => {
  t.deepEqual(cutPoints(new Uint8Array()), []);
  t.is(findCutPoint(new Uint8Array(), 0, 0, DEFAULT_CHUNKER_OPTIONS, true), 0);
  t.is(findCutPoint(new Uint8Array(), 0, 0, DEFAULT_CHUNKER_OPTIONS, false), NEED_MORE_BYTES);
});

test('input shorter than minSize is one chunk', (t) => {
  for (const length of [1, 63, 1000, DEFAULT_CHUNKER_OPTIONS.minSize - 1, DEFAULT_CHUNKER_OPTIONS.minSize]) {
    const data = random.subarray(0, length);
    t.deepEqual(cutPoints(data), [length]);
    t.is(findCutPoint(data, 0, length, DEFAULT_CHUNKER_OPTIONS, true), length);
  }
  t.deepEqual(cutPoints(new Uint8Array(1)), [1]);
});

test('without final, a chunk that may go on asks for more bytes', (t) => {
  const { minSize, maxSize } = DEFAULT_CHUNKER_OPTIONS;
  t.is(findCutPoint(random, 0, minSize - 1, DEFAULT_CHUNKER_OPTIONS), NEED_MORE_BYTES);
  const first = cutPoints(random)[0]!;
  t.true(first > minSize);
  t.is(findCutPoint(random, 0, first - 1, DEFAULT_CHUNKER_OPTIONS), NEED_MORE_BYTES);
  t.is(findCutPoint(random, 0, first - 1, DEFAULT_CHUNKER_OPTIONS, true), first - 1);
  // Once found, a cut never moves as more bytes arrive.
  for (const end of [first, first + 1, first + 100 * KiB, maxSize, random.length]) {
    t.is(findCutPoint(random, 0, end, DEFAULT_CHUNKER_OPTIONS), first);
    t.is(findCutPoint(random, 0, end, DEFAULT_CHUNKER_OPTIONS, true), first);
  }
});

test('a chunk is cut at maxSize when no cut point comes first', (t) => {
  // Constant input gives the same hash at every position; 0xaa happens not to
  // match either mask under the pinned gear table, so every chunk is maxSize.
  const flat = new Uint8Array(1 * MiB).fill(0xaa);
  const { maxSize } = DEFAULT_CHUNKER_OPTIONS;
  t.is(findCutPoint(flat, 0, flat.length, DEFAULT_CHUNKER_OPTIONS), maxSize);
  t.is(findCutPoint(flat, 0, maxSize - 1, DEFAULT_CHUNKER_OPTIONS), NEED_MORE_BYTES);
  t.deepEqual(cutPoints(flat), [1, 2, 3, 4].map((n) => n * maxSize));
  t.deepEqual(cutPoints(flat.subarray(0, maxSize + 10)), [maxSize, maxSize + 10]);
});

test('findCutPoint works at any start offset and agrees with cutPoints', (t) => {
  const ends = cutPoints(random.subarray(0, 2 * MiB));
  let start = 0;
  for (const end of ends) {
    t.is(findCutPoint(random, start, 2 * MiB, DEFAULT_CHUNKER_OPTIONS, true), end - start);
    start = end;
  }
});

test('findCutPoint rejects ranges outside the data with InvalidArgument', (t) => {
  const data = new Uint8Array(100);
  for (const [start, end] of [
    [-1, 10],
    [0, 101],
    [50, 40],
    [0.5, 10],
    [0, Number.NaN],
  ] as const) {
    t.true(isInvalidArgument(t.throws(() => findCutPoint(data, start, end, DEFAULT_CHUNKER_OPTIONS))));
  }
  t.true(isInvalidArgument(t.throws(() => findCutPoint([1, 2, 3] as unknown as Uint8Array, 0, 3))));
  t.true(isInvalidArgument(t.throws(() => cutPoints('abc' as unknown as Uint8Array))));
});

for (const [name, options] of OPTION_SETS) {
  test(`chunk sizes stay within bounds and average near avgSize (${name})`, (t) => {
    const ends = cutPoints(random, options);
    t.is(ends.at(-1), random.length);
    const lengths = lengthsOf(ends);
    lengths.forEach((length, i) => {
      if (i < lengths.length - 1) t.true(length >= options.minSize, `chunk ${i} is ${length} bytes`);
      t.true(length > 0 && length <= options.maxSize, `chunk ${i} is ${length} bytes`);
    });
    const average = random.length / lengths.length;
    t.true(average >= options.avgSize / 2 && average <= options.avgSize * 2, `average ${average}`);
  });
}

test('normalization concentrates chunk sizes around the average', (t) => {
  const spread = (normalization: number): number => {
    const lengths = lengthsOf(cutPoints(random, { ...DEFAULT_CHUNKER_OPTIONS, normalization }));
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    return Math.sqrt(lengths.reduce((sum, length) => sum + (length - mean) ** 2, 0) / lengths.length) / mean;
  };
  t.true(spread(3) < spread(2));
  t.true(spread(2) < spread(0));
});

test('chunking is deterministic', (t) => {
  const data = random.subarray(0, 4 * MiB);
  t.deepEqual(cutPoints(data), cutPoints(data));
  t.deepEqual(cutPoints(data), cutPoints(Uint8Array.from(data)));
  t.deepEqual(cutPoints(data), cutPoints(Buffer.from(data)));
});

test('boundaries after the first depend on content, not on where the stream starts', (t) => {
  const ends = cutPoints(random.subarray(0, 4 * MiB));
  // Drop a prefix that ends inside the first chunk: once the chunkings meet
  // at a common boundary they agree from there on.
  const skipped = 1234;
  const shifted = new Set(cutPoints(random.subarray(skipped, 4 * MiB)).map((end) => end + skipped));
  const meet = ends.findIndex((end) => shifted.has(end));
  t.true(meet >= 0 && meet < 5);
  for (const end of ends.slice(meet)) t.true(shifted.has(end));
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function chunkDigests(data: Uint8Array, options: ChunkerOptions): Map<string, number> {
  const digests = new Map<string, number>();
  let start = 0;
  for (const end of cutPoints(data, options)) {
    digests.set(sha256(data.subarray(start, end)), end - start);
    start = end;
  }
  return digests;
}

for (const [name, options] of OPTION_SETS.slice(0, 2)) {
  test(`inserting 1 KiB in the middle of 16 MiB keeps over 95% of bytes in shared chunks (${name})`, (t) => {
    const middle = random.length / 2;
    const edited = new Uint8Array(random.length + KiB);
    edited.set(random.subarray(0, middle), 0);
    edited.set(seededBytes(KiB, 0xdead_beef), middle);
    edited.set(random.subarray(middle), middle + KiB);

    const original = chunkDigests(random, options);
    let sharedBytes = 0;
    for (const [digest, length] of chunkDigests(edited, options)) {
      if (original.has(digest)) sharedBytes += length;
    }
    t.true(sharedBytes / edited.length > 0.95, `shared ${sharedBytes} of ${edited.length}`);
  });
}
