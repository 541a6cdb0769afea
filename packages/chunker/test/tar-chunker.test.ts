import test from 'ava';
import { createHash } from 'node:crypto';
import { type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, TarChunker, cutPoints, tarChunkStream, tarCutPoints } from '@strata/chunker';
import { XorShift32, endsOf, seededBytes, splitInto } from './helpers/seeded.ts';
import { type TarEntry, buildTar, header, paxRecord, sealChecksum } from './helpers/tar.ts';

const KiB = 1024;
const SMALL: ChunkerOptions = { minSize: 2 * KiB, avgSize: 8 * KiB, maxSize: 32 * KiB, normalization: 2 };

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `count` files with seeded contents and sizes in [minBytes, maxBytes]. */
function seededEntries(count: number, seed: number, minBytes: number, maxBytes: number): TarEntry[] {
  const random = new XorShift32(seed);
  return Array.from({ length: count }, (_, i) => ({
    name: `usr/share/file-${String(i).padStart(4, '0')}`,
    data: seededBytes(random.between(minBytes, maxBytes), random.next() | 1),
  }));
}

function chunkInPieces(data: Uint8Array, options: ChunkerOptions, seed: number): Uint8Array[] {
  const random = new XorShift32(seed);
  const chunker = new TarChunker(options);
  const chunks: Uint8Array[] = [];
  for (const piece of splitInto(data, () => random.between(1, 100_000))) chunks.push(...chunker.push(piece));
  const tail = chunker.finish();
  if (tail !== undefined) chunks.push(tail);
  return chunks;
}

/** sha256 over the hex sha256 of each chunk, one per line ("<hex>\n" each). */
function chunkListDigest(data: Uint8Array, ends: readonly number[]): string {
  let start = 0;
  let list = '';
  for (const end of ends) {
    list += `${sha256(data.subarray(start, end))}\n`;
    start = end;
  }
  return sha256(list);
}

/** Share of `next`'s chunk bytes whose chunk also appears in `previous`. */
function sharedShare(previous: Uint8Array, previousEnds: number[], next: Uint8Array, nextEnds: number[]): number {
  const known = new Set<string>();
  let start = 0;
  for (const end of previousEnds) {
    known.add(sha256(previous.subarray(start, end)));
    start = end;
  }
  let shared = 0;
  start = 0;
  for (const end of nextEnds) {
    if (known.has(sha256(next.subarray(start, end)))) shared += end - start;
    start = end;
  }
  return shared / next.length;
}

/**
 * Golden vector: tar-aware boundaries are part of the on-disk format like
 * FastCDC's (see golden.test.ts); changing them is a format version bump.
 * The archive comes from helpers/tar.ts over the seeded stream, and its own
 * digest is pinned so a failure says whether the input or the chunker moved.
 */
const GOLDEN_TAR_ENDS = [
    84758, 129024, 200432, 288999, 362496, 406528, 441344, 458240, 500224, 571558,
    596480, 684544, 723456, 751104, 823177, 858248, 937969, 970380, 1010176, 1051136,
    1080320, 1127936, 1199026, 1280938, 1319424, 1406780, 1489306, 1518592, 1566720, 1635542,
    1709056, 1728512, 1752576, 1827674, 1850368, 1921362, 1995372, 2024960, 2101471, 2169344,
    2192896, 2215936, 2286874, 2320384, 2355200, 2373632, 2447759, 2516480, 2584230, 2617344,
    2688234, 2737152, 2765817, 2783789, 2850484, 2875392, 2938880, 3021498, 3064320, 3088384,
    3136512, 3167744, 3187200, 3246080, 3331186, 3371520, 3449989, 3488256, 3514880, 3606196,
    3659264, 3730275, 3749888, 3773952, 3795456, 3864013, 3922944, 3956736, 4029440, 4099584,
    4137472, 4212149, 4278272, 4315648, 4389716, 4436992, 4507626, 4570112, 4660170, 4715008,
    4808520, 4864000, 4934602, 4956672, 5027266, 5089792, 5115904, 5174272, 5255492, 5274524,
    5315072, 5381632, 5436416, 5509639, 5558784, 5624400, 5710848, 5781362, 5855082, 5872128,
    5952621, 6022656, 6068224, 6150986, 6204928, 6284602, 6357504, 6419968, 6451712, 6527345,
    6556672, 6638018, 6709068, 6729216, 6799610, 6831104, 6901482, 6932992, 6962688, 7033042,
    7079936, 7131648, 7209664, 7293106, 7357952, 7428266, 7450112, 7510016, 7580306, 7626240,
    7705809, 7731712, 7768354, 7815391, 7878656, 7879680,
  ];

test('golden cut points of a seeded tar (default options)', (t) => {
  const tar = buildTar(seededEntries(120, 0x7461_7231, 100, 150 * KiB));
  t.is(sha256(tar.bytes), '4e9a6367282648c5b39864d0e1877400a62af24a18a2b27ac00fa1fce1485db2', 'the seeded tar changed, not the chunker');
  const ends = tarCutPoints(tar.bytes, DEFAULT_CHUNKER_OPTIONS);
  t.deepEqual(ends, GOLDEN_TAR_ENDS);
  t.is(chunkListDigest(tar.bytes, ends), '8f1e24fc151b26c7ab66526a1c87e4b0230c3be9fe423966cc3b69277a5e993a');
  t.deepEqual(endsOf(chunkInPieces(tar.bytes, DEFAULT_CHUNKER_OPTIONS, 0x90_1d)), GOLDEN_TAR_ENDS);
});

test('the same boundaries however the input is split', async (t) => {
  const tar = buildTar(seededEntries(200, 0x5eed, 10, 40 * KiB));
  const whole = tarCutPoints(tar.bytes, SMALL);
  for (const seed of [1, 2, 3]) t.deepEqual(endsOf(chunkInPieces(tar.bytes, SMALL, seed)), whole);
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < tar.bytes.length; at += 777) yield tar.bytes.subarray(at, at + 777);
  }
  const streamed: Uint8Array[] = [];
  for await (const chunk of tarChunkStream(pieces(), SMALL)) streamed.push(chunk);
  t.deepEqual(endsOf(streamed), whole);
  t.deepEqual(Buffer.concat(streamed), Buffer.from(tar.bytes));
});

test('a member start at least minSize into a chunk ends it', (t) => {
  const tar = buildTar(seededEntries(150, 0xfeed, 10, 20 * KiB));
  const ends = tarCutPoints(tar.bytes, SMALL);
  const cuts = new Set([0, ...ends]);
  let cutsAtMembers = 0;
  for (const member of tar.starts) {
    if (cuts.has(member)) {
      cutsAtMembers++;
      continue;
    }
    // Not a cut: the chunk holding the member's start began less than minSize before it.
    const chunkStart = Math.max(...[0, ...ends].filter((end) => end < member));
    t.true(member - chunkStart < SMALL.minSize, `member at ${member} in a chunk from ${chunkStart}`);
  }
  t.true(cutsAtMembers > tar.starts.length / 2);
});

test('extension headers belong to their member: pax and GNU long names cut before them, not inside', (t) => {
  const entries = seededEntries(60, 0xabcd, 3 * KiB, 6 * KiB).map((entry, i) => ({
    ...entry,
    name: `${'deep/'.repeat(30)}${entry.name}`,
    pax: i % 2 === 0,
    gnuLongName: i % 2 === 1,
  }));
  const tar = buildTar(entries);
  const cuts = new Set(tarCutPoints(tar.bytes, SMALL));
  t.true(tar.starts.slice(1).filter((start) => cuts.has(start)).length > 20);
  t.is(tar.mainHeaders.filter((main, i) => main !== tar.starts[i] && cuts.has(main)).length, 0);
});

test('a GNU sparse member with extension blocks is skipped whole', (t) => {
  const entries: TarEntry[] = [
    ...seededEntries(4, 0x1111, 3 * KiB, 4 * KiB),
    { name: 'sparse', data: seededBytes(5 * KiB, 0x2222), type: 'S', sparseExtensions: 2 },
    ...seededEntries(4, 0x3333, 3 * KiB, 4 * KiB),
  ];
  const tar = buildTar(entries);
  const cuts = new Set(tarCutPoints(tar.bytes, SMALL));
  // Every member is longer than minSize, so each start cuts: the scan kept its place past the sparse member.
  t.deepEqual(tar.starts.slice(1).filter((start) => !cuts.has(start)), []);
});

test('a pax size record overrides the header size', (t) => {
  const data = seededBytes(5 * KiB, 0x4444);
  const record = Buffer.from(paxRecord('size', String(data.length)));
  const pax = new Uint8Array(1024);
  pax.set(header('PaxHeaders/big', record.length, 'x'));
  pax.set(record, 512);
  const main = header('big', 0, '0');
  const after = buildTar(seededEntries(3, 0x5555, 3 * KiB, 4 * KiB));
  const bytes = Buffer.concat([buildTar(seededEntries(1, 0x6666, 3 * KiB, 3 * KiB)).bytes.subarray(0, 512 * 7), pax, main, data, after.bytes]);
  const prefix = 512 * 7;
  const suffix = prefix + 1024 + 512 + data.length;
  t.true(new Set(tarCutPoints(bytes, SMALL)).has(suffix));
  t.true(new Set(tarCutPoints(bytes, SMALL)).has(prefix));
});

test('input that is not a tar is chunked exactly as plain FastCDC', (t) => {
  const data = seededBytes(2 * 1024 * KiB, 0x0bad_cafe);
  t.deepEqual(tarCutPoints(data, SMALL), cutPoints(data, SMALL));
  t.deepEqual(tarCutPoints(data), cutPoints(data));
});

test('corrupt headers never throw: the scan stops and FastCDC goes on', (t) => {
  const tar = buildTar(seededEntries(40, 0x7777, 3 * KiB, 6 * KiB));
  const broken = Buffer.from(tar.bytes);
  const victim = tar.starts[20]!;
  broken[victim + 150] = broken[victim + 150]! ^ 0xff;
  const ends = tarCutPoints(broken, SMALL);
  t.is(ends.at(-1), broken.length);
  const intact = tarCutPoints(tar.bytes, SMALL);
  t.deepEqual(ends.filter((end) => end <= victim), intact.filter((end) => end <= victim));

  const hostile = [
    (() => {
      const block = header('base256', 0, '0');
      block.fill(0xff, 124, 136);
      return sealChecksum(block);
    })(),
    (() => {
      const block = header('bad-octal', 0, '0');
      block.set(Buffer.from('9999'), 124);
      return sealChecksum(block);
    })(),
    (() => {
      const block = header('giant', 0, '0');
      block[124] = 0x80;
      block.fill(0x7f, 125, 136);
      return sealChecksum(block);
    })(),
    (() => {
      const block = header('PaxHeaders/bad', 40, 'x');
      return Buffer.concat([block, Buffer.from('99999 size=12\nnot a record at all......'.padEnd(512, '\0'))]);
    })(),
  ];
  for (const start of hostile) {
    const data = Buffer.concat([start, seededBytes(200 * KiB, 0x8888)]);
    const cut = tarCutPoints(data, SMALL);
    t.is(cut.at(-1), data.length);
  }
  t.deepEqual(tarCutPoints(new Uint8Array(0)), []);
  t.deepEqual(tarCutPoints(new Uint8Array(100)), [100]);
});

test('two tars differing by one file out of 300 share more than 95% of chunk bytes', (t) => {
  const entries = seededEntries(300, 0x3030, 512, 96 * KiB);
  const changed = entries.map((entry, i) =>
    i === 150 ? { ...entry, data: Buffer.concat([seededBytes(1000, 0x9999), entry.data.subarray(600)]) } : entry,
  );
  const before = buildTar(entries).bytes;
  const after = buildTar(changed).bytes;
  const figures: string[] = [];
  for (const options of [DEFAULT_CHUNKER_OPTIONS, { minSize: 4 * KiB, avgSize: 16 * KiB, maxSize: 64 * KiB }]) {
    const tarAware = sharedShare(before, tarCutPoints(before, options), after, tarCutPoints(after, options));
    const plain = sharedShare(before, cutPoints(before, options), after, cutPoints(after, options));
    figures.push(`avg ${options.avgSize / KiB} KiB: tar-aware ${(tarAware * 100).toFixed(2)}%, plain FastCDC ${(plain * 100).toFixed(2)}%`);
    t.true(tarAware > 0.95, figures.at(-1));
  }
  t.log(`${(after.length / 1024 / 1024).toFixed(1)} MiB tar, file 150 of 300 changed; bytes shared: ${figures.join('; ')}`);
});
