import { BitReader } from './bit-reader.ts';
import { BitWriter } from './bit-writer.ts';
import { writePredictedHeader } from './block-codes.ts';
import { EVENT_LENGTH_258_VIA_284, EVENT_LITERAL, RECORD_FINAL, RECORD_HORIZON, RECORD_RAW_HEADER } from './block-record.ts';
import { type SegmentEntry, joinPayload, writeCorrections } from './corrections.ts';
import { LENGTH_258_VIA_284, WINDOW_SIZE } from './deflate-tables.ts';
import { newBlockCodes } from './huffman.ts';
import {
  BLOCK_DYNAMIC,
  BLOCK_STORED,
  type BlockInfo,
  FIXED_TABLES,
  PlainOutput,
  type TokenBuffer,
  inflateTokens,
  inflateWithBlocks,
  newTokenBuffer,
  readDynamicTables,
} from './inflate.ts';
import { MatchModel, type ModelParams, zlibLevelParams } from './match-model.ts';
import { ByteSink } from './varint.ts';

/** Where reconstruction can start without re-encoding what comes before. */
export interface RestartPoint {
  /** Index of the segment in the correction stream. */
  segment: number;
  /** Plaintext offset the segment starts at. */
  plaintextOffset: number;
  /** Compressed byte whose bits include the segment's first bit. */
  compressedOffset: number;
  /** Exact bit offset of the segment's first block. */
  bitOffset: number;
  /** First plaintext byte the rebuild needs (up to 32 KiB before plaintextOffset). */
  windowStart: number;
}

export interface ExpandStats {
  blocks: number;
  storedBlocks: number;
  fixedBlocks: number;
  dynamicBlocks: number;
  /** Dynamic headers zlib's tree builder did not reproduce (kept verbatim). */
  rawHeaders: number;
  tokens: number;
  /** Tokens the model did not predict. */
  corrections: number;
  params: ModelParams;
}

export interface DeflateExpansion {
  plaintext: Uint8Array;
  corrections: Uint8Array;
  /** Bytes of the input the deflate stream occupies. */
  consumed: number;
  restartPoints: RestartPoint[];
  stats: ExpandStats;
}

export interface ExpandOptions {
  /** Plaintext bytes per restart segment (a segment ends at the first block boundary past it). */
  segmentBytes?: number;
  /** Model parameters to use instead of estimating them from the stream. */
  params?: ModelParams;
}

export const DEFAULT_SEGMENT_BYTES = 1 << 20;
const ESTIMATE_BYTES = 128 * 1024;

/** The stream as parsed once, shared by parameter estimation and encoding. */
interface ParsedStream {
  compressed: Uint8Array;
  plaintext: Uint8Array;
  blocks: BlockInfo[];
}

/**
 * Parses a raw deflate stream at the start of `compressed` and records how
 * to rebuild it bit for bit from its plaintext. Throws InvalidArgument for a
 * malformed or truncated stream.
 */
export function expandDeflate(compressed: Uint8Array, options: ExpandOptions = {}): DeflateExpansion {
  const { plaintext, blocks, bitEnd } = inflateWithBlocks(compressed);
  const stream: ParsedStream = { compressed, plaintext, blocks };
  const consumed = Math.ceil(bitEnd / 8);
  const params = options.params ?? estimateParams(stream);
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  const stats: ExpandStats = {
    blocks: blocks.length,
    storedBlocks: 0,
    fixedBlocks: 0,
    dynamicBlocks: 0,
    rawHeaders: 0,
    tokens: 0,
    corrections: 0,
    params,
  };
  for (const block of blocks) {
    if (block.type === BLOCK_STORED) stats.storedBlocks++;
    else if (block.type === BLOCK_DYNAMIC) stats.dynamicBlocks++;
    else stats.fixedBlocks++;
  }
  const model = new MatchModel(params);
  const tokens = newTokenBuffer();
  const segments: SegmentEntry[] = [];
  const payloads: Uint8Array[] = [];
  const restartPoints: RestartPoint[] = [];
  let first = 0;
  while (first < blocks.length) {
    let last = first;
    while (last + 1 < blocks.length && blocks[last]!.plainEnd - blocks[first]!.plainStart < segmentBytes) last++;
    const start = blocks[first]!;
    const end = blocks[last]!;
    const prefixCount = start.bitStart & 7;
    segments.push({
      plainStart: start.plainStart,
      plainLength: end.plainEnd - start.plainStart,
      bitStart: start.bitStart,
      bitLength: end.bitEnd - start.bitStart,
      prefixBits: prefixCount === 0 ? 0 : (compressed[start.bitStart >>> 3]! & ((1 << prefixCount) - 1)),
      payloadOffset: 0,
      payloadLength: 0,
    });
    restartPoints.push({
      segment: segments.length - 1,
      plaintextOffset: start.plainStart,
      compressedOffset: start.bitStart >>> 3,
      bitOffset: start.bitStart,
      windowStart: Math.max(0, start.plainStart - WINDOW_SIZE),
    });
    payloads.push(encodeSegment(stream, first, last, model, tokens, stats, Infinity));
    first = last + 1;
  }
  const paddingCount = consumed * 8 - bitEnd;
  const finalPadding = paddingCount === 0 ? 0 : (compressed[consumed - 1]! >>> (8 - paddingCount));
  const corrections = writeCorrections(
    { params, plainLength: plaintext.length, bitLength: bitEnd, finalPadding, segments },
    payloads,
  );
  return { plaintext, corrections, consumed, restartPoints, stats };
}

/**
 * Encodes blocks first..last as one segment payload. Stops early (returning
 * an empty payload) once more than `budget` tokens were mispredicted, which
 * parameter estimation uses to drop a losing candidate quickly.
 */
function encodeSegment(
  stream: ParsedStream,
  first: number,
  last: number,
  model: MatchModel,
  tokens: TokenBuffer,
  stats: ExpandStats,
  budget: number,
): Uint8Array {
  const { compressed, plaintext, blocks } = stream;
  const start = blocks[first]!.plainStart;
  model.bind(plaintext, 0, plaintext.length);
  model.reset(start, Math.max(0, start - WINDOW_SIZE));
  const records = new ByteSink();
  const events = new ByteSink();
  const codes = newBlockCodes();
  const predictedHeader = new BitWriter(512);
  const actualHeader = new BitWriter(512);
  let previousTokenCount = 0;
  let skip = 0;
  for (let index = first; index <= last; index++) {
    const block = blocks[index]!;
    const next = blocks[index + 1];
    const horizonAtEnd = block.type !== BLOCK_STORED && (block.final || next?.type === BLOCK_STORED);
    let flags = (block.final ? RECORD_FINAL : 0) | (block.type << 1) | (horizonAtEnd ? RECORD_HORIZON : 0);
    if (block.type === BLOCK_STORED) {
      records.byte(flags);
      records.uint(block.plainEnd - block.plainStart);
      records.uint(block.storedPadding);
      model.forgetLazy();
      continue;
    }
    decodeBlockTokens(stream, block, tokens);
    let rawHeader: Uint8Array | null = null;
    let rawHeaderBits = 0;
    if (block.type === BLOCK_DYNAMIC) {
      predictedHeader.length = 0;
      predictedHeader.bitBuffer = 0;
      predictedHeader.bitCount = 0;
      writePredictedHeader(tokens, codes, predictedHeader);
      actualHeader.length = 0;
      actualHeader.bitBuffer = 0;
      actualHeader.bitCount = 0;
      rawHeaderBits = block.bodyBitStart - block.bitStart - 3;
      actualHeader.copyBits(compressed, block.bitStart + 3, rawHeaderBits);
      if (!sameBits(predictedHeader, actualHeader)) {
        flags |= RECORD_RAW_HEADER;
        actualHeader.alignWith(0);
        rawHeader = actualHeader.buffer.subarray(0, actualHeader.length);
        stats.rawHeaders++;
      }
    }
    records.byte(flags);
    records.int(tokens.count - previousTokenCount);
    previousTokenCount = tokens.count;
    if (horizonAtEnd) records.uint(block.plainEnd - block.plainStart);
    if (rawHeader !== null) {
      records.uint(rawHeaderBits);
      records.bytes(rawHeader);
    }
    model.horizon = horizonAtEnd ? block.plainEnd : plaintext.length;
    const { lengths, values, count } = tokens;
    let position = block.plainStart;
    for (let i = 0; i < count; i++) {
      model.predict(position);
      const length = lengths[i]!;
      if (length === 0) {
        if (model.predictedLength === 0) {
          skip++;
          model.advance(position, 0, true);
        } else {
          events.uint(skip);
          skip = 0;
          events.uint(EVENT_LITERAL);
          model.advance(position, 0, false);
          stats.corrections++;
          if (stats.corrections > budget) return new Uint8Array(0);
        }
        position++;
        continue;
      }
      const distance = values[i]!;
      if (length === model.predictedLength && distance === model.predictedDistance) {
        skip++;
        model.advance(position, length, true);
        position += length;
        continue;
      }
      const realLength = length === LENGTH_258_VIA_284 ? 258 : length;
      events.uint(skip);
      skip = 0;
      events.uint(length === LENGTH_258_VIA_284 ? EVENT_LENGTH_258_VIA_284 : length - 2);
      const rank = model.rankOf(position, realLength, distance);
      if (rank >= 0) {
        events.uint(rank + 1);
      } else {
        events.uint(0);
        events.uint(distance - 1);
      }
      model.advance(position, realLength, false);
      position += realLength;
      stats.corrections++;
      if (stats.corrections > budget) return new Uint8Array(0);
    }
    stats.tokens += count;
    if (horizonAtEnd) model.forgetLazy();
  }
  return joinPayload(records, events);
}

function sameBits(a: BitWriter, b: BitWriter): boolean {
  if (a.length !== b.length || a.bitCount !== b.bitCount || a.bitBuffer !== b.bitBuffer) return false;
  for (let i = 0; i < a.length; i++) if (a.buffer[i] !== b.buffer[i]) return false;
  return true;
}

function decodeBlockTokens(stream: ParsedStream, block: BlockInfo, tokens: TokenBuffer): void {
  const reader = new BitReader(stream.compressed, block.bitStart + 3);
  const codes = newBlockCodes();
  let tables;
  if (block.type === BLOCK_DYNAMIC) {
    tables = readDynamicTables(reader, codes);
  } else {
    tables = FIXED_TABLES;
  }
  // Re-decoding writes the same bytes over the plaintext; the sink only has to be there.
  const sink = new PlainOutput(0);
  sink.buffer = stream.plaintext;
  sink.length = block.plainStart;
  tokens.count = 0;
  tokens.count = inflateTokens(reader, tables.literal, tables.distance, sink, tokens);
}

/** Candidate model parameters, most common producers first. */
function candidateParams(): ModelParams[] {
  const literalsOnly: ModelParams = { ...zlibLevelParams(1), chain: 0 };
  return [...[6, 9, 1, 2, 3, 4, 5, 7, 8].map((level) => zlibLevelParams(level)), literalsOnly];
}

/**
 * Picks the model parameters that mispredict the fewest tokens over the
 * stream's first blocks: zlib's nine levels, then the hash size (memLevel)
 * and window size around the best level.
 */
function estimateParams(stream: ParsedStream): ModelParams {
  const { blocks } = stream;
  let last = 0;
  while (last + 1 < blocks.length && blocks[last]!.plainEnd < ESTIMATE_BYTES) last++;
  const tokens = newTokenBuffer();
  let best = zlibLevelParams(6);
  let bestErrors = Infinity;
  let bestTokens = 0;
  const trial = (params: ModelParams): void => {
    const stats: ExpandStats = {
      blocks: 0, storedBlocks: 0, fixedBlocks: 0, dynamicBlocks: 0, rawHeaders: 0, tokens: 0, corrections: 0, params,
    };
    encodeSegment(stream, 0, last, new MatchModel(params), tokens, stats, bestErrors);
    if (stats.corrections < bestErrors) {
      bestErrors = stats.corrections;
      bestTokens = stats.tokens;
      best = params;
    }
  };
  for (const params of candidateParams()) {
    trial(params);
    if (bestErrors === 0) return best;
  }
  // Hash and window sizes only refine a near match; a foreign matcher gains nothing from them.
  if (bestErrors > bestTokens / 50) return best;
  const level = best;
  for (let hashBits = 9; hashBits <= 16; hashBits++) {
    if (hashBits !== level.hashBits) trial({ ...level, hashBits });
    if (bestErrors === 0) return best;
  }
  const sized = best;
  for (let windowBits = 9; windowBits <= 14; windowBits++) {
    trial({ ...sized, windowBits });
    if (bestErrors === 0) return best;
  }
  return best;
}
