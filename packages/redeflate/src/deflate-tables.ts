/** The fixed tables of RFC 1951 (section 3.2.5 and 3.2.6). */

export const MIN_MATCH = 3;
export const MAX_MATCH = 258;
export const WINDOW_SIZE = 32768;
export const END_OF_BLOCK = 256;

export const LENGTH_BASE = Uint16Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
export const LENGTH_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
export const DIST_BASE = Uint16Array.from([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
]);
export const DIST_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);

/** The order in which code length code lengths are sent. */
export const CODE_LENGTH_ORDER = Uint8Array.from([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** Length (3..258) to its length code index (0..28); 258 takes the canonical code 285. */
export const LENGTH_CODE = new Uint8Array(MAX_MATCH + 1);
/** Distance (1..32768) to its distance code (0..29). */
export const DIST_CODE = new Uint8Array(WINDOW_SIZE + 1);

for (let code = 0; code < 28; code++) {
  for (let j = 0; j < 1 << LENGTH_EXTRA[code]!; j++) LENGTH_CODE[LENGTH_BASE[code]! + j] = code;
}
LENGTH_CODE[MAX_MATCH] = 28;
for (let code = 0; code < 30; code++) {
  for (let j = 0; j < 1 << DIST_EXTRA[code]!; j++) {
    const distance = DIST_BASE[code]! + j;
    if (distance <= WINDOW_SIZE) DIST_CODE[distance] = code;
  }
}

/** Code lengths of the fixed Huffman code (BTYPE 01). */
export const FIXED_LITERAL_LENGTHS = new Uint8Array(288);
export const FIXED_DISTANCE_LENGTHS = new Uint8Array(30).fill(5);
FIXED_LITERAL_LENGTHS.fill(8, 0, 144);
FIXED_LITERAL_LENGTHS.fill(9, 144, 256);
FIXED_LITERAL_LENGTHS.fill(7, 256, 280);
FIXED_LITERAL_LENGTHS.fill(8, 280, 288);

/**
 * A length of 258 has two encodings: code 285, and code 284 with all five
 * extra bits set. Tokens keep the second one as this pseudo length so that
 * the rare producer using it is still rebuilt exactly.
 */
export const LENGTH_258_VIA_284 = 259;
