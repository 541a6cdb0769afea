/**
 * The gear table of the rolling hash: 256 pseudo-random 32-bit words, one per
 * byte value.
 *
 * The table is part of strata's on-disk format: every chunk boundary depends
 * on it, so changing the seed, the generator or the word it keeps changes the
 * chunks of every blob (a format version bump). The golden tests pin a digest
 * of the table as well as the cut points it produces.
 *
 * Generator: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014), all arithmetic modulo 2^64:
 *
 *   state += 0x9E3779B97F4A7C15
 *   z = state
 *   z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
 *   z = (z ^ (z >> 27)) * 0x94D049BB133111EB
 *   z =  z ^ (z >> 31)
 *
 * seeded with GEAR_SEED, the ASCII bytes of "strata-1" read big-endian.
 * Entry i (for byte value i, in order 0..255) is the high 32 bits of the
 * i-th output z. SplitMix64's high bits are its best mixed ones.
 */

/** "strata-1" in ASCII, big-endian. */
export const GEAR_SEED = 0x7374_7261_7461_2d31n;

const MASK_64 = (1n << 64n) - 1n;

function* splitMix64(seed: bigint): Generator<bigint, never> {
  let state = seed & MASK_64;
  for (;;) {
    state = (state + 0x9e37_79b9_7f4a_7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn) & MASK_64;
    yield z ^ (z >> 31n);
  }
}

function generateGearTable(seed: bigint): Int32Array {
  const table = new Int32Array(256);
  const random = splitMix64(seed);
  for (let i = 0; i < table.length; i++) {
    // Stored as int32 (same bits as the unsigned word) so the hot loop never
    // sees a value outside V8's int32 range.
    table[i] = Number(random.next().value >> 32n) | 0;
  }
  return table;
}

/** The table, as signed 32-bit words; never handed out, so nothing can alter it. */
export const GEAR: Int32Array = generateGearTable(GEAR_SEED);

/** A copy of the gear table as unsigned words, for inspection and golden tests. */
export function gearTable(): Uint32Array {
  return new Uint32Array(GEAR);
}
