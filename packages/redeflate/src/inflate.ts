import { BitReader } from './bit-reader.ts';
import {
  DIST_BASE,
  DIST_EXTRA,
  FIXED_DISTANCE_LENGTHS,
  FIXED_LITERAL_LENGTHS,
  LENGTH_258_VIA_284,
  LENGTH_BASE,
  LENGTH_EXTRA,
} from './deflate-tables.ts';
import { malformed } from './failures.ts';
import { type BlockCodes, type DecodeTable, buildDecodeTable, newBlockCodes, readDynamicHeader } from './huffman.ts';

export const BLOCK_STORED = 0;
export const BLOCK_FIXED = 1;
export const BLOCK_DYNAMIC = 2;

/** Where one deflate block sits in the compressed and the plain stream. */
export interface BlockInfo {
  final: boolean;
  type: number;
  /** Bit offset of the BFINAL bit. */
  bitStart: number;
  /** Bit offset of the first token (dynamic: end of the header; stored: first data byte). */
  bodyBitStart: number;
  bitEnd: number;
  plainStart: number;
  plainEnd: number;
  /** Stored blocks: the value of the bits skipped to reach a byte boundary. */
  storedPadding: number;
  tokenCount: number;
}

/** Tokens of one block: length 0 = literal (value = byte), else match (value = distance). */
export interface TokenBuffer {
  lengths: Uint16Array;
  values: Uint16Array;
  count: number;
}

export function newTokenBuffer(capacity = 1 << 16): TokenBuffer {
  return { lengths: new Uint16Array(capacity), values: new Uint16Array(capacity), count: 0 };
}

function growTokens(tokens: TokenBuffer): void {
  const lengths = new Uint16Array(tokens.lengths.length * 2);
  const values = new Uint16Array(tokens.values.length * 2);
  lengths.set(tokens.lengths);
  values.set(tokens.values);
  tokens.lengths = lengths;
  tokens.values = values;
}

export const FIXED_TABLES = {
  literal: buildDecodeTable(FIXED_LITERAL_LENGTHS, 288, 'literal/length'),
  distance: buildDecodeTable(FIXED_DISTANCE_LENGTHS, 30, 'distance'),
};

/** Growing plaintext sink. */
export class PlainOutput {
  buffer: Uint8Array;
  length = 0;
  /** Length the buffer may not grow past (a decompression bomb is refused rather than held). */
  limit = Infinity;

  constructor(capacity: number) {
    this.buffer = new Uint8Array(Math.max(capacity, 1024));
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    if (this.length + extra > this.limit) throw malformed('deflate block decodes to more than the longest block accepted', { limit: this.limit });
    let capacity = Math.max(this.buffer.length * 2, 1024);
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}

export interface InflateResult {
  plaintext: Uint8Array;
  blocks: BlockInfo[];
  /** Bit offset just past the final block. */
  bitEnd: number;
}

/** Decodes a whole raw deflate stream starting at byte 0 of `data`, recording every block. */
export function inflateWithBlocks(data: Uint8Array): InflateResult {
  const reader = new BitReader(data);
  const output = new PlainOutput(data.length * 3);
  const blocks: BlockInfo[] = [];
  const codes = newBlockCodes();
  for (;;) {
    const block = inflateBlock(reader, output, codes, 0, 0);
    blocks.push(block);
    if (block.final) break;
  }
  return { plaintext: output.buffer.subarray(0, output.length), blocks, bitEnd: reader.bitOffset };
}

/**
 * Decodes the block at the reader's position into `output`. `bitBase` and
 * `plainBase` are the stream offsets of the reader's byte 0 and the output's
 * byte 0, so the block's offsets are of the whole stream; a window of 32 KiB
 * (or the stream's start) must precede the output's end.
 */
export function inflateBlock(reader: BitReader, output: PlainOutput, codes: BlockCodes, bitBase: number, plainBase: number): BlockInfo {
  const bitStart = reader.bitOffset;
  const final = reader.bits(1) === 1;
  const type = reader.bits(2);
  const block: BlockInfo = {
    final,
    type,
    bitStart: bitBase + bitStart,
    bodyBitStart: 0,
    bitEnd: 0,
    plainStart: plainBase + output.length,
    plainEnd: 0,
    storedPadding: 0,
    tokenCount: 0,
  };
  if (type === BLOCK_STORED) {
    inflateStored(reader, block, output);
  } else if (type === BLOCK_FIXED || type === BLOCK_DYNAMIC) {
    let literal = FIXED_TABLES.literal;
    let distance = FIXED_TABLES.distance;
    if (type === BLOCK_DYNAMIC) {
      ({ literal, distance } = readDynamicTables(reader, codes));
    }
    block.bodyBitStart = bitBase + reader.bitOffset;
    block.tokenCount = inflateTokens(reader, literal, distance, output, null);
  } else {
    throw malformed('invalid deflate block type', { bitOffset: bitBase + bitStart });
  }
  reader.checkBounds();
  block.bitEnd = bitBase + reader.bitOffset;
  block.plainEnd = plainBase + output.length;
  if (block.type === BLOCK_STORED) block.bodyBitStart += bitBase;
  return block;
}

export function readDynamicTables(reader: BitReader, codes: BlockCodes): { literal: DecodeTable; distance: DecodeTable } {
  readDynamicHeader(reader, codes);
  reader.checkBounds();
  return {
    literal: buildDecodeTable(codes.literalLengths, 288, 'literal/length'),
    distance: buildDecodeTable(codes.distanceLengths, 32, 'distance'),
  };
}

function inflateStored(reader: BitReader, block: BlockInfo, output: PlainOutput): void {
  const padding = (8 - (reader.bitOffset & 7)) & 7;
  block.storedPadding = reader.bits(padding);
  const length = reader.bits(16);
  const complement = reader.bits(16);
  if ((length ^ 0xffff) !== complement) throw malformed('stored block length does not match its complement');
  const start = reader.bitOffset >>> 3;
  block.bodyBitStart = start * 8;
  if (start + length > reader.data.length) throw malformed('deflate stream is truncated', { truncated: true });
  output.reserve(length);
  output.buffer.set(reader.data.subarray(start, start + length), output.length);
  output.length += length;
  reader.pos = start + length;
  reader.bitBuffer = 0;
  reader.bitCount = 0;
  block.tokenCount = length;
}

/**
 * Decodes the tokens of one Huffman block up to and including its
 * end-of-block code. Writes plaintext to `output` and, when given, the tokens
 * to `tokens`. Returns the number of tokens.
 */
export function inflateTokens(
  reader: BitReader,
  literal: DecodeTable,
  distance: DecodeTable,
  output: PlainOutput,
  tokens: TokenBuffer | null,
): number {
  const literalTable = literal.table;
  const literalBits = literal.bits;
  const literalMask = (1 << literalBits) - 1;
  const distanceTable = distance.table;
  const distanceBits = distance.bits;
  const distanceMask = (1 << distanceBits) - 1;
  const limit = reader.data.length + 8;
  let count = 0;
  for (;;) {
    if (reader.bitCount < literalBits) reader.fill(literalBits);
    const entry = literalTable[reader.bitBuffer & literalMask]!;
    const codeLength = entry & 15;
    if (codeLength === 0) throw malformed('invalid literal/length code');
    reader.bitBuffer >>>= codeLength;
    reader.bitCount -= codeLength;
    const symbol = entry >>> 4;
    if (output.length + 258 > output.buffer.length) output.reserve(258);
    if (symbol < 256) {
      output.buffer[output.length++] = symbol;
      if (tokens !== null) {
        if (count === tokens.lengths.length) growTokens(tokens);
        tokens.lengths[count] = 0;
        tokens.values[count] = symbol;
      }
      count++;
    } else if (symbol === 256) {
      break;
    } else {
      const code = symbol - 257;
      if (code >= 29) throw malformed('invalid literal/length code');
      let length = LENGTH_BASE[code]! + reader.bits(LENGTH_EXTRA[code]!);
      if (reader.bitCount < distanceBits) reader.fill(distanceBits);
      const distanceEntry = distanceTable[reader.bitBuffer & distanceMask]!;
      const distanceLength = distanceEntry & 15;
      if (distanceLength === 0) throw malformed('invalid distance code');
      reader.bitBuffer >>>= distanceLength;
      reader.bitCount -= distanceLength;
      const distanceCode = distanceEntry >>> 4;
      if (distanceCode >= 30) throw malformed('invalid distance code');
      const dist = DIST_BASE[distanceCode]! + reader.bits(DIST_EXTRA[distanceCode]!);
      if (dist > output.length) throw malformed('distance reaches before the start of the stream');
      const buffer = output.buffer;
      let to = output.length;
      let from = to - dist;
      const end = to + length;
      while (to < end) buffer[to++] = buffer[from++]!;
      output.length = end;
      if (code === 27 && length === 258) length = LENGTH_258_VIA_284;
      if (tokens !== null) {
        if (count === tokens.lengths.length) growTokens(tokens);
        tokens.lengths[count] = length;
        tokens.values[count] = dist;
      }
      count++;
    }
    if (reader.pos > limit) reader.checkBounds();
  }
  return count;
}
