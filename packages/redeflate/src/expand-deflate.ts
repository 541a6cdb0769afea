import { StrataError } from '@strata/errors';
import { malformed } from './failures.ts';
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
  inflateBlock,
  newTokenBuffer,
  readDynamicTables,
} from './inflate.ts';
import { MatchModel, type ModelParams, zlibLevelParams } from './match-model.ts';
import { concat } from './gzip.ts';
import { SEGMENT_LOOKAHEAD } from './rebuild-deflate.ts';
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
  /**
   * Longest block (compressed bytes) a streaming expansion buffers while it
   * waits for the block's end; a stream whose block runs longer is refused
   * as malformed. DEFAULT_MAX_BLOCK_BYTES by default.
   */
  maxBlockBytes?: number;
  /** Most plaintext one block may decode to before the stream is refused as malformed; DEFAULT_MAX_BLOCK_PLAIN_BYTES by default. */
  maxBlockPlainBytes?: number;
  /** Model parameters to use instead of estimating them from the stream. */
  params?: ModelParams;
}

export const DEFAULT_SEGMENT_BYTES = 1 << 20;
const ESTIMATE_BYTES = 128 * 1024;
/**
 * Real encoders end a block every few hundred KiB at most (zlib and Go after
 * 16-64 Ki symbols, stored blocks at 64 KiB); a block that runs on for longer
 * is damage that happens to decode, and waiting for its end would buffer the
 * rest of the input.
 */
export const DEFAULT_MAX_BLOCK_BYTES = 64 * 1024 * 1024;
/** zlib and Go end a block after 16-64 Ki symbols (at most 4-16 MiB of plaintext); zopfli after 1 MB of input. */
export const DEFAULT_MAX_BLOCK_PLAIN_BYTES = 64 * 1024 * 1024;
/** Plaintext a streaming expander hands out per read (one block more at most), so a bomb never piles up. */
export const READ_BYTES = 4 * 1024 * 1024;
/** After a block runs past the input, it is parsed again once at least this much more has come. */
const RETRY_BYTES = 256 * 1024;

/**
 * The part of the stream the expander holds: compressed bytes from stream
 * byte `byteBase`, plaintext from stream offset `plainBase` (at least 32 KiB
 * before the first pending block, or the stream's start), and the blocks
 * parsed but not yet encoded.
 */
interface StreamWindow {
  compressed: Uint8Array;
  byteBase: number;
  plaintext: Uint8Array;
  plainBase: number;
  /** Stream offset just past the plaintext held; matches never reach past it. */
  plainEnd: number;
  blocks: BlockInfo[];
}

/** What a DeflateExpander recorded, once its stream ended. */
export interface DeflateExpanderResult {
  corrections: Uint8Array;
  /** Bytes of input the deflate stream occupies. */
  consumed: number;
  plainLength: number;
  restartPoints: RestartPoint[];
  stats: ExpandStats;
}

/**
 * Parses a raw deflate stream at the start of `compressed` and records how
 * to rebuild it bit for bit from its plaintext. Throws InvalidArgument for a
 * malformed or truncated stream.
 */
export function expandDeflate(compressed: Uint8Array, options: ExpandOptions = {}): DeflateExpansion {
  const expander = new DeflateExpander(options);
  expander.push(compressed);
  expander.end();
  const pieces: Uint8Array[] = [];
  for (let batch = expander.read(); batch.length > 0; batch = expander.read()) pieces.push(...batch);
  const result = expander.result();
  const plaintext = pieces.length === 1 ? pieces[0]! : concat(pieces, result.plainLength);
  return { plaintext, corrections: result.corrections, consumed: result.consumed, restartPoints: result.restartPoints, stats: result.stats };
}

/**
 * Streaming expansion of one raw deflate stream: compressed bytes go in as
 * they arrive (`push`), plaintext comes out block by block as it is asked
 * for (`read`), and each segment is modelled as soon as its blocks and the
 * few bytes after them are in. So memory stays at about one segment of
 * each whatever the stream's length or compression ratio (a single block is
 * held whole, within the block bounds). The correction stream is the one
 * expanding the whole stream at once gives.
 */
export class DeflateExpander {
  private readonly options: ExpandOptions;
  private readonly segmentBytes: number;
  private readonly maxBlockBytes: number;
  private readonly maxBlockPlainBytes: number;
  private inputEnded = false;
  private input = new Uint8Array(1 << 16);
  private inputLength = 0;
  /** Stream byte offset of input[0]. */
  private byteBase = 0;
  /** Stream bit offset of the next block to parse. */
  private bitPosition = 0;
  private plain = new PlainOutput(1 << 16);
  /** Stream plaintext offset of the plaintext buffer's byte 0. */
  private plainBase = 0;
  private readonly codes = newBlockCodes();
  private blocks: BlockInfo[] = [];
  private ended = false;
  private bitEnd = 0;
  private finalPadding = 0;
  /** Stream byte offset the input must reach before a block that ran past it is parsed again. */
  private retryAt = 0;
  private params: ModelParams | undefined;
  private model: MatchModel | undefined;
  private readonly tokens = newTokenBuffer();
  private readonly stats: ExpandStats;
  private readonly segments: SegmentEntry[] = [];
  private readonly payloads: Uint8Array[] = [];
  private readonly restartPoints: RestartPoint[] = [];
  private finished: DeflateExpanderResult | undefined;

  constructor(options: ExpandOptions = {}) {
    this.options = options;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES;
    this.maxBlockPlainBytes = options.maxBlockPlainBytes ?? DEFAULT_MAX_BLOCK_PLAIN_BYTES;
    this.stats = {
      blocks: 0, storedBlocks: 0, fixedBlocks: 0, dynamicBlocks: 0, rawHeaders: 0, tokens: 0, corrections: 0,
      params: options.params ?? zlibLevelParams(6),
    };
  }

  /** Whether the final block has been parsed: input past it is not the stream's (see `leftover`). */
  get done(): boolean {
    return this.ended;
  }

  /** Adds the next compressed bytes (copied); `read` decodes them. */
  push(bytes: Uint8Array): void {
    if (this.ended || this.inputEnded) throw new RangeError('push after the end of the stream');
    this.append(bytes);
  }

  /** No more input: `read` then parses what is held, and throws InvalidArgument when the stream is truncated. */
  end(): void {
    this.inputEnded = true;
  }

  /**
   * Decodes and models what the input holds, up to about `budget` bytes of
   * plaintext (one block more at most), and returns that plaintext in order
   * (each piece is the caller's to keep). None: more input is needed, or,
   * once `done`, all of it is out. Throws InvalidArgument as soon as the
   * stream is seen to be malformed.
   */
  read(budget = READ_BYTES): Uint8Array[] {
    const out: Uint8Array[] = [];
    let produced = 0;
    while (produced < budget && !this.ended) {
      const block = this.parseBlock();
      if (block === undefined) break;
      if (block.plainEnd > block.plainStart) {
        out.push(this.plain.buffer.slice(block.plainStart - this.plainBase, block.plainEnd - this.plainBase));
        produced += block.plainEnd - block.plainStart;
      }
      this.encodeReady();
    }
    return out;
  }

  /** Bytes of input and plaintext buffered right now. */
  get heldBytes(): number {
    return this.input.length + this.plain.buffer.length;
  }

  /** Input given after the stream's last byte. */
  leftover(): Uint8Array {
    if (!this.ended) throw new RangeError('leftover before the final block');
    return this.input.slice(Math.ceil(this.bitEnd / 8) - this.byteBase, this.inputLength);
  }

  /** The correction stream; call once the final block is in (`done`, or after `end`). */
  result(): DeflateExpanderResult {
    if (this.finished) return this.finished;
    if (!this.ended) throw new RangeError('result before the final block');
    this.encodeReady();
    const plainLength = this.plainBase + this.plain.length;
    const corrections = writeCorrections(
      { params: this.params!, plainLength, bitLength: this.bitEnd, finalPadding: this.finalPadding, segments: this.segments },
      this.payloads,
    );
    this.finished = { corrections, consumed: Math.ceil(this.bitEnd / 8), plainLength, restartPoints: this.restartPoints, stats: this.stats };
    return this.finished;
  }

  private append(bytes: Uint8Array): void {
    const needed = this.inputLength + bytes.length;
    if (needed > this.input.length) {
      const next = new Uint8Array(Math.max(needed, this.input.length * 2));
      next.set(this.input.subarray(0, this.inputLength));
      this.input = next;
    }
    this.input.set(bytes, this.inputLength);
    this.inputLength = needed;
  }

  /** Parses the next block if the input holds all of it (all that is left once the input ended). */
  private parseBlock(): BlockInfo | undefined {
    const final = this.inputEnded;
    const inputEnd = this.byteBase + this.inputLength;
    if (this.ended || (!final && inputEnd < this.retryAt)) return undefined;
    const data = this.input.subarray(0, this.inputLength);
    const reader = new BitReader(data, this.bitPosition - this.byteBase * 8);
    const mark = this.plain.length;
    this.plain.limit = mark + this.maxBlockPlainBytes;
    let block: BlockInfo;
    try {
      block = inflateBlock(reader, this.plain, this.codes, this.byteBase * 8, this.plainBase);
    } catch (error) {
      // A block that runs past the input is only incomplete: parse it again once more has come.
      if (final || !(reader.pos > data.length || isTruncation(error))) throw error;
      const blockByte = this.bitPosition >>> 3;
      if (inputEnd - blockByte > this.maxBlockBytes) {
        throw malformed('deflate block runs on past the longest block accepted', { bitOffset: this.bitPosition, maxBlockBytes: this.maxBlockBytes });
      }
      this.plain.length = mark;
      this.retryAt = inputEnd + Math.max(RETRY_BYTES, inputEnd - blockByte);
      return undefined;
    }
    this.blocks.push(block);
    this.stats.blocks++;
    if (block.type === BLOCK_STORED) this.stats.storedBlocks++;
    else if (block.type === BLOCK_DYNAMIC) this.stats.dynamicBlocks++;
    else this.stats.fixedBlocks++;
    this.bitPosition = block.bitEnd;
    if (block.final) {
      this.ended = true;
      this.bitEnd = block.bitEnd;
      const consumed = Math.ceil(this.bitEnd / 8);
      const paddingCount = consumed * 8 - this.bitEnd;
      this.finalPadding = paddingCount === 0 ? 0 : (this.input[consumed - 1 - this.byteBase]! >>> (8 - paddingCount));
    }
    return block;
  }

  private window(): StreamWindow {
    return {
      compressed: this.input,
      byteBase: this.byteBase,
      plaintext: this.plain.buffer,
      plainBase: this.plainBase,
      plainEnd: this.plainBase + this.plain.length,
      blocks: this.blocks,
    };
  }

  /**
   * Index of the last block of the run that starts at the first pending
   * block and spans `span` bytes of plaintext (segments have always been cut
   * so), or -1 while the run, or the plaintext the model looks at after it,
   * is not all in.
   */
  private reach(span: number): number {
    const blocks = this.blocks;
    if (blocks.length === 0) return -1;
    const start = blocks[0]!.plainStart;
    let last = 0;
    while (last + 1 < blocks.length && blocks[last]!.plainEnd - start < span) last++;
    if (this.ended) return last;
    if (blocks[last]!.plainEnd - start < span) return -1;
    return this.plainBase + this.plain.length >= blocks[last]!.plainEnd + SEGMENT_LOOKAHEAD ? last : -1;
  }

  /** Models every segment whose blocks and lookahead are in, then drops what no later segment needs. */
  private encodeReady(): void {
    for (;;) {
      if (this.model === undefined) {
        if (this.options.params === undefined) {
          const last = this.reach(ESTIMATE_BYTES);
          if (last < 0) return;
          this.params = estimateParams(this.window(), last);
        } else {
          this.params = this.options.params;
        }
        this.stats.params = this.params;
        this.model = new MatchModel(this.params);
      }
      const last = this.reach(this.segmentBytes);
      if (last < 0) return;
      this.encodeSegment(last);
    }
  }

  private encodeSegment(last: number): void {
    const blocks = this.blocks;
    const start = blocks[0]!;
    const end = blocks[last]!;
    const prefixCount = start.bitStart & 7;
    this.segments.push({
      plainStart: start.plainStart,
      plainLength: end.plainEnd - start.plainStart,
      bitStart: start.bitStart,
      bitLength: end.bitEnd - start.bitStart,
      prefixBits: prefixCount === 0 ? 0 : (this.input[(start.bitStart >>> 3) - this.byteBase]! & ((1 << prefixCount) - 1)),
      payloadOffset: 0,
      payloadLength: 0,
    });
    this.restartPoints.push({
      segment: this.segments.length - 1,
      plaintextOffset: start.plainStart,
      compressedOffset: start.bitStart >>> 3,
      bitOffset: start.bitStart,
      windowStart: Math.max(0, start.plainStart - WINDOW_SIZE),
    });
    this.payloads.push(encodeSegment(this.window(), 0, last, this.model!, this.tokens, this.stats, Infinity));
    this.blocks = blocks.slice(last + 1);
    this.discard();
  }

  /** Drops input before the next block and plaintext before its window, copying only once most of a buffer is dead. */
  private discard(): void {
    const next = this.blocks[0];
    const keepByte = (next === undefined ? this.bitPosition : next.bitStart) >>> 3;
    const dropBytes = keepByte - this.byteBase;
    if (dropBytes > 0 && dropBytes >= this.inputLength - dropBytes) {
      const kept = this.input.subarray(dropBytes, this.inputLength);
      const buffer = new Uint8Array(Math.max(kept.length * 2, 1 << 16));
      buffer.set(kept);
      this.input = buffer;
      this.inputLength = kept.length;
      this.byteBase = keepByte;
    }
    const plainStart = next === undefined ? this.plainBase + this.plain.length : next.plainStart;
    const keepPlain = Math.max(0, plainStart - WINDOW_SIZE);
    const dropPlain = keepPlain - this.plainBase;
    if (dropPlain > 0 && dropPlain >= this.plain.length - dropPlain) {
      const kept = this.plain.buffer.subarray(dropPlain, this.plain.length);
      const buffer = new PlainOutput(Math.max(kept.length * 2, 1 << 16));
      buffer.buffer.set(kept);
      buffer.length = kept.length;
      this.plain = buffer;
      this.plainBase = keepPlain;
    }
  }
}

function isTruncation(error: unknown): boolean {
  return error instanceof StrataError && error.details['truncated'] === true;
}

/**
 * Encodes blocks first..last as one segment payload. Stops early (returning
 * an empty payload) once more than `budget` tokens were mispredicted, which
 * parameter estimation uses to drop a losing candidate quickly.
 */
function encodeSegment(
  stream: StreamWindow,
  first: number,
  last: number,
  model: MatchModel,
  tokens: TokenBuffer,
  stats: ExpandStats,
  budget: number,
): Uint8Array {
  const { compressed, blocks, plainBase } = stream;
  const start = blocks[first]!.plainStart;
  model.bind(stream.plaintext, plainBase, stream.plainEnd - plainBase);
  model.reset(start - plainBase, Math.max(0, start - WINDOW_SIZE) - plainBase);
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
      actualHeader.copyBits(compressed, block.bitStart + 3 - stream.byteBase * 8, rawHeaderBits);
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
    model.horizon = (horizonAtEnd ? block.plainEnd : stream.plainEnd) - plainBase;
    const { lengths, values, count } = tokens;
    let position = block.plainStart - plainBase;
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

function decodeBlockTokens(stream: StreamWindow, block: BlockInfo, tokens: TokenBuffer): void {
  const reader = new BitReader(stream.compressed, block.bitStart + 3 - stream.byteBase * 8);
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
  sink.length = block.plainStart - stream.plainBase;
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
function estimateParams(stream: StreamWindow, last: number): ModelParams {
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
