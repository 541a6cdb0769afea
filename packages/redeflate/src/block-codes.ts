import type { BitWriter } from './bit-writer.ts';
import {
  DIST_BASE,
  DIST_CODE,
  DIST_EXTRA,
  END_OF_BLOCK,
  FIXED_DISTANCE_LENGTHS,
  FIXED_LITERAL_LENGTHS,
  LENGTH_258_VIA_284,
  LENGTH_BASE,
  LENGTH_CODE,
  LENGTH_EXTRA,
} from './deflate-tables.ts';
import { damaged } from './failures.ts';
import { type BlockCodes, reversedCodes, writeZlibDynamicHeader } from './huffman.ts';
import type { TokenBuffer } from './inflate.ts';

/** Symbol frequencies of a block's tokens, the input of zlib's tree builder. */
export function tokenFrequencies(tokens: TokenBuffer, literal: Uint32Array, distance: Uint32Array): void {
  literal.fill(0);
  distance.fill(0);
  const { lengths, values, count } = tokens;
  for (let i = 0; i < count; i++) {
    const length = lengths[i]!;
    if (length === 0) {
      literal[values[i]!]!++;
    } else {
      literal[257 + (length === LENGTH_258_VIA_284 ? 27 : LENGTH_CODE[length]!)]!++;
      distance[DIST_CODE[values[i]!]!]!++;
    }
  }
  literal[END_OF_BLOCK] = 1;
}

/** Writes a dynamic header the way zlib would for these tokens. */
export function writePredictedHeader(tokens: TokenBuffer, codes: BlockCodes, out: BitWriter): void {
  const literal = new Uint32Array(286);
  const distance = new Uint32Array(30);
  tokenFrequencies(tokens, literal, distance);
  writeZlibDynamicHeader(literal, distance, codes, out);
}

const fixedLiteralCodes = new Uint16Array(288);
const fixedDistanceCodes = new Uint16Array(30);
reversedCodes(FIXED_LITERAL_LENGTHS, 288, fixedLiteralCodes);
reversedCodes(FIXED_DISTANCE_LENGTHS, 30, fixedDistanceCodes);

/** Writes the tokens of a Huffman block and its end-of-block code. */
export function writeTokens(tokens: TokenBuffer, codes: BlockCodes | null, out: BitWriter): void {
  let literalLengths: Uint8Array = FIXED_LITERAL_LENGTHS;
  let distanceLengths: Uint8Array = FIXED_DISTANCE_LENGTHS;
  let literalCodes = fixedLiteralCodes;
  let distanceCodes = fixedDistanceCodes;
  if (codes !== null) {
    literalLengths = codes.literalLengths;
    distanceLengths = codes.distanceLengths;
    literalCodes = new Uint16Array(288);
    distanceCodes = new Uint16Array(32);
    reversedCodes(literalLengths, 288, literalCodes);
    reversedCodes(distanceLengths, 32, distanceCodes);
  }
  const { lengths, values, count } = tokens;
  // A token takes at most 48 bits: room for all of them lets the loop write bytes unchecked,
  // from a local bit buffer that never holds more than 27 bits.
  out.reserve(count * 6 + 4);
  const buffer = out.buffer;
  let at = out.length;
  let held = out.bitBuffer;
  let heldCount = out.bitCount;
  for (let i = 0; i < count; i++) {
    const length = lengths[i]!;
    const value = values[i]!;
    if (length === 0) {
      const bits = literalLengths[value]!;
      if (bits === 0) {
        throw uncoded(out, at, held, heldCount, 'literal has no code in its block');
      }
      held |= literalCodes[value]! << heldCount;
      heldCount += bits;
    } else {
      const code = length === LENGTH_258_VIA_284 ? 27 : LENGTH_CODE[length]!;
      const symbol = 257 + code;
      const bits = literalLengths[symbol]!;
      const distanceCode = DIST_CODE[value]!;
      const distanceBits = distanceLengths[distanceCode]!;
      if (bits === 0 || distanceBits === 0) {
        throw uncoded(out, at, held, heldCount, 'match has no code in its block');
      }
      held |= literalCodes[symbol]! << heldCount;
      heldCount += bits;
      const extra = LENGTH_EXTRA[code]!;
      if (extra !== 0) {
        held |= ((length === LENGTH_258_VIA_284 ? 258 : length) - LENGTH_BASE[code]!) << heldCount;
        heldCount += extra;
      }
      while (heldCount >= 8) {
        buffer[at++] = held;
        held >>>= 8;
        heldCount -= 8;
      }
      held |= distanceCodes[distanceCode]! << heldCount;
      heldCount += distanceBits;
      const distanceExtra = DIST_EXTRA[distanceCode]!;
      if (distanceExtra !== 0) {
        while (heldCount >= 8) {
          buffer[at++] = held;
          held >>>= 8;
          heldCount -= 8;
        }
        held |= (value - DIST_BASE[distanceCode]!) << heldCount;
        heldCount += distanceExtra;
      }
    }
    while (heldCount >= 8) {
      buffer[at++] = held;
      held >>>= 8;
      heldCount -= 8;
    }
  }
  out.length = at;
  out.bitBuffer = held;
  out.bitCount = heldCount;
  const endBits = literalLengths[END_OF_BLOCK]!;
  if (endBits === 0) throw damaged('block has no end-of-block code');
  out.bits(literalCodes[END_OF_BLOCK]!, endBits);
}

/** Leaves the writer at the last whole token written and returns the error for a token its block cannot code. */
function uncoded(out: BitWriter, at: number, held: number, heldCount: number, what: string): Error {
  out.length = at;
  out.bitBuffer = held;
  out.bitCount = heldCount;
  return damaged(what);
}
