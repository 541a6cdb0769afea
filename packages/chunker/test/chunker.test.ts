import test from 'ava';
import { isInvalidArgument } from '@strata/errors';
import { Chunker, type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, chunkStream, cutPoints } from '@strata/chunker';
import { XorShift32, endsOf, seededBytes, splitInto } from './helpers/seeded.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const SMALL: ChunkerOptions = { minSize: 8 * KiB, avgSize: 32 * KiB, maxSize: 128 * KiB, normalization: 1 };

const data = seededBytes(8 * MiB, 0x0bad_cafe);

/** Pushes the pieces, checking the memory bound and the bytes accounting after each. */
function chunkPieces(t: { true(value: boolean, message?: string): void }, pieces: Iterable<Uint8Array>, options?: ChunkerOptions): Uint8Array[] {
  const chunker = new Chunker(options);
  const chunks: Uint8Array[] = [];
  let pushed = 0;
  let emitted = 0;
  for (const piece of pieces) {
    for (const chunk of chunker.push(piece)) {
      chunks.push(chunk);
      emitted += chunk.length;
    }
    pushed += piece.length;
    const pending = chunker.pendingBytes;
    if (pending !== pushed - emitted || pending >= chunker.options.maxSize) {
      t.true(false, `pending ${pending} after ${pushed} pushed and ${emitted} emitted`);
    }
  }
  const tail = chunker.finish();
  if (tail !== undefined) chunks.push(tail);
  t.true(chunker.pendingBytes === 0);
  return chunks;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

for (const [name, options] of [
  ['default options', DEFAULT_CHUNKER_OPTIONS],
  ['8/32/128 KiB', SMALL],
] as const) {
  test(`pieces of random sizes give the same chunks as one buffer (${name})`, (t) => {
    const expected = cutPoints(data, options);
    const random = new XorShift32(0x5eed_0001);
    const sizeRanges = [
      [1, 64],
      [1, 4 * KiB],
      [1, 300 * KiB],
      [100 * KiB, 3 * MiB],
    ] as const;
    for (const [low, high] of sizeRanges) {
      const chunks = chunkPieces(t, splitInto(data, () => random.between(low, high)), options);
      t.deepEqual(endsOf(chunks), expected, `pieces of ${low}..${high} bytes`);
      t.true(Buffer.from(concat(chunks)).equals(data));
    }
    t.deepEqual(endsOf(chunkPieces(t, [data], options)), expected, 'one piece');
    t.deepEqual(endsOf(chunkPieces(t, [data.subarray(0, 1), data.subarray(1)], options)), expected, 'one byte first');
  });
}

test('one-byte pieces give the same chunks as one buffer', (t) => {
  const small = data.subarray(0, 700 * KiB);
  const expected = cutPoints(small, SMALL);
  t.true(expected.length > 5);
  const chunks = chunkPieces(t, splitInto(small, () => 1), SMALL);
  t.deepEqual(endsOf(chunks), expected);
  t.deepEqual(endsOf(chunkPieces(t, splitInto(small.subarray(0, 5000), () => 1), SMALL)), [5000]);
});

test('empty pushes change nothing and an empty stream has no chunks', (t) => {
  const chunker = new Chunker();
  t.deepEqual(chunker.push(new Uint8Array()), []);
  t.is(chunker.pendingBytes, 0);
  t.is(chunker.finish(), undefined);
  const chunks = chunkPieces(t, [new Uint8Array(), data.subarray(0, 1 * MiB), new Uint8Array(), data.subarray(1 * MiB, 2 * MiB)]);
  t.deepEqual(endsOf(chunks), cutPoints(data.subarray(0, 2 * MiB)));
});

test('a stream shorter than minSize is one chunk', (t) => {
  const chunker = new Chunker();
  t.deepEqual(chunker.push(data.subarray(0, 1000)), []);
  t.deepEqual(chunker.push(data.subarray(1000, 3000)), []);
  t.is(chunker.pendingBytes, 3000);
  t.deepEqual(chunker.finish(), data.slice(0, 3000));
});

test('chunks stay valid when the caller reuses its input buffer', (t) => {
  const reused = new Uint8Array(200 * KiB);
  const chunks: Uint8Array[] = [];
  const chunker = new Chunker(SMALL);
  for (let offset = 0; offset < 4 * MiB; offset += reused.length) {
    const piece = data.subarray(offset, Math.min(offset + reused.length, 4 * MiB));
    reused.set(piece);
    chunks.push(...chunker.push(reused.subarray(0, piece.length)));
  }
  reused.fill(0);
  const tail = chunker.finish();
  if (tail !== undefined) chunks.push(tail);
  t.true(Buffer.from(concat(chunks)).equals(data.subarray(0, 4 * MiB)));
  t.deepEqual(endsOf(chunks), cutPoints(data.subarray(0, 4 * MiB), SMALL));
});

test('a chunker starts a new stream after finish', (t) => {
  const chunker = new Chunker(SMALL);
  chunker.push(data.subarray(0, 100 * KiB));
  t.truthy(chunker.finish());
  const second = data.subarray(3 * MiB, 5 * MiB);
  const chunks = [...chunker.push(second)];
  const tail = chunker.finish();
  if (tail !== undefined) chunks.push(tail);
  t.deepEqual(endsOf(chunks), cutPoints(second, SMALL));
});

test('push rejects what is not bytes with InvalidArgument', (t) => {
  const chunker = new Chunker();
  t.true(isInvalidArgument(t.throws(() => chunker.push('text' as unknown as Uint8Array))));
});

async function* piecesOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

test('chunkStream yields the chunks of the whole stream', async (t) => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunkStream(piecesOf(data, 100_000))) chunks.push(chunk);
  t.deepEqual(endsOf(chunks), cutPoints(data));
  t.true(Buffer.from(concat(chunks)).equals(data));

  const small: Uint8Array[] = [];
  for await (const chunk of chunkStream(piecesOf(data.subarray(0, 2 * MiB), 77_777), SMALL)) small.push(chunk);
  t.deepEqual(endsOf(small), cutPoints(data.subarray(0, 2 * MiB), SMALL));
});

test('chunkStream of an empty source yields nothing', async (t) => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of chunkStream(piecesOf(new Uint8Array(), 1))) chunks.push(chunk);
  t.deepEqual(chunks, []);
});

test('stopping chunkStream early stops reading the source', async (t) => {
  let closed = false;
  let read = 0;
  async function* source(): AsyncGenerator<Uint8Array> {
    try {
      for (let offset = 0; offset < data.length; offset += 64 * KiB) {
        read += 64 * KiB;
        yield data.subarray(offset, offset + 64 * KiB);
      }
    } finally {
      closed = true;
    }
  }
  for await (const chunk of chunkStream(source())) {
    t.true(chunk.length > 0);
    break;
  }
  t.true(closed);
  t.true(read < data.length);
});

test('chunkStream rejects invalid options with InvalidArgument', async (t) => {
  const stream = chunkStream(piecesOf(data, 1000), { minSize: 10, avgSize: 20, maxSize: 30 });
  t.true(isInvalidArgument(await t.throwsAsync(async () => stream.next())));
});
