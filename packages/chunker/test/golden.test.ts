/**
 * Golden vectors: chunk boundaries are part of strata's on-disk format.
 *
 * Changing any value pinned here (the gear table, the cut points, the chunk
 * digests) changes the chunks of every stored blob, so it is a format
 * version bump, never a test update. The inputs come from the xorshift32
 * stream documented in helpers/seeded.ts; their own digests are pinned too,
 * so a failure says whether the input or the chunker moved.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { Chunker, type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, GEAR_SEED, cutPoints, gearTable } from '@strata/chunker';
import { XorShift32, endsOf, seededBytes, splitInto } from './helpers/seeded.ts';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
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

test('the gear table is SplitMix64 from the "strata-1" seed', (t) => {
  t.is(GEAR_SEED, 0x7374_7261_7461_2d31n);
  const table = gearTable();
  t.is(table.length, 256);
  const bytes = new Uint8Array(table.length * 4);
  const view = new DataView(bytes.buffer);
  table.forEach((word, i) => view.setUint32(i * 4, word, true));
  t.is(table[0], 0x069f_ba87);
  t.is(table[255], 0x4fb7_8a87);
  t.is(sha256(bytes), '8625fff4d257003570880cf7179a9014c3d07663610a2fc2600a96bfc7e8bce6');
});

interface Golden {
  name: string;
  options: ChunkerOptions;
  length: number;
  seed: number;
  inputSha256: string;
  ends: number[];
  chunkListSha256: string;
}

const GOLDEN: Golden[] = [
  {
    name: 'default options (16/64/256 KiB, normalization 2)',
    options: DEFAULT_CHUNKER_OPTIONS,
    length: 8 * 1024 * 1024,
    seed: 0x5354_5241,
    inputSha256: '8ea5dbc4534731000f73eae1527f1028d08af67c05757568964db6f0a04f8498',
    ends: [
      66711, 140388, 206980, 298421, 390420, 414960, 527403, 614662, 692429, 754724,
      820342, 859260, 941888, 1018875, 1098516, 1157655, 1249972, 1321484, 1403596, 1496615,
      1562598, 1633708, 1710582, 1814109, 1884784, 1927952, 2056588, 2143470, 2210846, 2282141,
      2358664, 2431649, 2458257, 2552912, 2634350, 2670710, 2740596, 2838477, 2926024, 3006601,
      3077776, 3181610, 3271660, 3354126, 3407335, 3485700, 3571072, 3651860, 3731053, 3751198,
      3835547, 3956194, 4028198, 4106451, 4191938, 4263158, 4330731, 4419383, 4513772, 4584748,
      4671745, 4745874, 4832590, 4911799, 5009982, 5077075, 5125932, 5253492, 5290959, 5309592,
      5422911, 5488886, 5560399, 5631269, 5736944, 5779581, 5845821, 5925528, 6000875, 6093608,
      6170777, 6248694, 6290621, 6358980, 6452036, 6504401, 6579125, 6601026, 6719043, 6786046,
      6857572, 6936281, 7004439, 7049631, 7127810, 7183694, 7202438, 7276934, 7345334, 7424621,
      7498177, 7569744, 7644480, 7723514, 7789585, 7856667, 7924197, 7994852, 8070057, 8142080,
      8196178, 8263244, 8344129, 8388608,
    ],
    chunkListSha256: 'a4eb607a0cf67e6729dec806703119178eb56a503b3529ca6078ff1bfb145852',
  },
  {
    name: '8/32/128 KiB, normalization 1',
    options: { minSize: 8 * 1024, avgSize: 32 * 1024, maxSize: 128 * 1024, normalization: 1 },
    length: 4 * 1024 * 1024,
    seed: 0x4344_4331,
    inputSha256: '14a99b5210d1f0e2c7134e4b91aab6b11975db6ee3f89c69e3b9f759e7682f51',
    ends: [
      10200, 56006, 88942, 105925, 175901, 240596, 276762, 314750, 358971, 394091,
      420058, 464030, 530170, 579167, 627118, 640664, 671268, 708044, 746225, 817271,
      826032, 856915, 898918, 925068, 989688, 1005158, 1047043, 1080522, 1100345, 1124856,
      1159959, 1209433, 1233260, 1280280, 1313169, 1346439, 1387731, 1418909, 1443718, 1550997,
      1588018, 1601994, 1662054, 1707852, 1738910, 1821989, 1848355, 1864483, 1894451, 1907031,
      1939979, 2011247, 2055286, 2097811, 2120065, 2164234, 2207309, 2220597, 2256764, 2284481,
      2323571, 2357707, 2394671, 2408875, 2456020, 2510704, 2528806, 2607272, 2655195, 2688888,
      2734371, 2782568, 2818295, 2856202, 2878671, 2948018, 2966046, 2982634, 3064928, 3106808,
      3138991, 3197298, 3250630, 3266823, 3312736, 3337308, 3403320, 3458951, 3469676, 3562476,
      3610791, 3649886, 3708458, 3764648, 3812671, 3860348, 3895987, 3928693, 3978625, 4035964,
      4072360, 4155953, 4194304,
    ],
    chunkListSha256: '849d4ef5eb34076ca2b081aa627b9c483b20ab84d076ab5bed5883c16bb8340a',
  },
];

for (const golden of GOLDEN) {
  test(`golden cut points and chunk digests: ${golden.name}`, (t) => {
    const data = seededBytes(golden.length, golden.seed);
    t.is(sha256(data), golden.inputSha256, 'the seeded input changed, not the chunker');
    const ends = cutPoints(data, golden.options);
    t.deepEqual(ends, golden.ends);
    t.is(chunkListDigest(data, ends), golden.chunkListSha256);
  });

  test(`golden vectors hold when streamed in pieces: ${golden.name}`, (t) => {
    const data = seededBytes(golden.length, golden.seed);
    const random = new XorShift32(golden.seed ^ 0xffff_ffff);
    const chunker = new Chunker(golden.options);
    const chunks: Uint8Array[] = [];
    for (const piece of splitInto(data, () => random.between(1, 200_000))) chunks.push(...chunker.push(piece));
    const tail = chunker.finish();
    if (tail !== undefined) chunks.push(tail);
    t.deepEqual(endsOf(chunks), golden.ends);
    t.is(sha256(chunks.map((chunk) => `${sha256(chunk)}\n`).join('')), golden.chunkListSha256);
  });
}
