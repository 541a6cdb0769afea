import { BitReader } from './bit-reader.ts';
import { BitWriter } from './bit-writer.ts';
import { writePredictedHeader, writeTokens } from './block-codes.ts';
import { EVENT_LENGTH_258_VIA_284, EVENT_LITERAL, RECORD_FINAL, RECORD_HORIZON, RECORD_RAW_HEADER } from './block-record.ts';
import { type ParsedCorrections, readCorrections, segmentPayload } from './corrections.ts';
import { LENGTH_258_VIA_284, MAX_MATCH, WINDOW_SIZE } from './deflate-tables.ts';
import { damaged, malformed } from './failures.ts';
import { type BlockCodes, newBlockCodes, readDynamicHeader } from './huffman.ts';
import { BLOCK_DYNAMIC, BLOCK_STORED, type TokenBuffer, newTokenBuffer } from './inflate.ts';
import { MatchModel } from './match-model.ts';

/** Plaintext past a segment's end the model may look at (a lazy search one byte on). */
export const SEGMENT_LOOKAHEAD = MAX_MATCH + 4;

function ensureTokens(tokens: TokenBuffer, count: number): void {
  if (tokens.lengths.length >= count) return;
  let capacity = tokens.lengths.length;
  while (capacity < count) capacity *= 2;
  tokens.lengths = new Uint16Array(capacity);
  tokens.values = new Uint16Array(capacity);
}

/**
 * Re-encodes one segment into `out`. `data[0]` is plaintext offset `base`;
 * it must hold the segment, the 32 KiB before it and SEGMENT_LOOKAHEAD
 * bytes after it (or up to the end of the plaintext).
 */
function rebuildSegment(
  corrections: ParsedCorrections,
  index: number,
  model: MatchModel,
  data: Uint8Array,
  base: number,
  dataLength: number,
  tokens: TokenBuffer,
  codes: BlockCodes,
  out: BitWriter,
): void {
  const segment = corrections.segments[index]!;
  const { blocks: records, events } = segmentPayload(corrections, segment);
  model.bind(data, base, dataLength);
  const start = segment.plainStart - base;
  const end = start + segment.plainLength;
  const plainEnd = corrections.plainLength - base;
  model.reset(start, Math.max(0, segment.plainStart - WINDOW_SIZE) - base);
  const bitStart = out.bitLength;
  let position = start;
  let previousTokenCount = 0;
  let untilEvent = events.done ? Infinity : events.uint();
  while (!records.done) {
    const flags = records.byte();
    const type = (flags >>> 1) & 3;
    out.bits((flags & RECORD_FINAL) | (type << 1), 3);
    if (type === BLOCK_STORED) {
      const length = records.uint();
      const padding = records.uint();
      if (length > 0xffff || position + length > end) throw damaged('stored block does not fit the segment');
      out.bits(padding, (8 - (out.bitLength & 7)) & 7);
      out.bits(length, 16);
      out.bits(length ^ 0xffff, 16);
      out.bytes(data.subarray(position, position + length));
      position += length;
      model.forgetLazy();
      continue;
    }
    if (type === 3) throw damaged('correction stream names an invalid block type');
    const count = previousTokenCount + records.int();
    if (count < 0 || count > end - position) throw damaged('block token count does not fit the segment');
    previousTokenCount = count;
    const horizonAtEnd = (flags & RECORD_HORIZON) !== 0;
    const horizon = horizonAtEnd ? position + records.uint() : plainEnd;
    if (horizonAtEnd && horizon > end) throw damaged('block horizon lies past the segment');
    let rawHeader: Uint8Array | null = null;
    let rawHeaderBits = 0;
    if ((flags & RECORD_RAW_HEADER) !== 0) {
      rawHeaderBits = records.uint();
      rawHeader = records.bytes(Math.ceil(rawHeaderBits / 8));
    }
    ensureTokens(tokens, count);
    const { lengths, values } = tokens;
    model.horizon = horizon;
    for (let i = 0; i < count; i++) {
      model.predict(position);
      let length: number;
      let distance = 0;
      if (untilEvent > 0) {
        untilEvent--;
        length = model.predictedLength;
        distance = model.predictedDistance;
        model.advance(position, length, true);
      } else {
        const code = events.uint();
        if (code === EVENT_LITERAL) {
          length = 0;
        } else if (code <= EVENT_LENGTH_258_VIA_284) {
          length = code === EVENT_LENGTH_258_VIA_284 ? MAX_MATCH : code + 2;
          const rank = events.uint();
          distance = rank > 0 ? model.distanceAt(position, length, rank - 1) : events.uint() + 1;
          if (distance === 0 || distance > WINDOW_SIZE || distance > position + base) {
            throw damaged('corrected match distance is out of range');
          }
        } else {
          throw damaged('correction stream holds an invalid token');
        }
        model.advance(position, length, false);
        untilEvent = events.done ? Infinity : events.uint();
        if (code === EVENT_LENGTH_258_VIA_284) {
          lengths[i] = LENGTH_258_VIA_284;
          values[i] = distance;
          position += MAX_MATCH;
          if (position > end) throw damaged('tokens run past the segment');
          continue;
        }
      }
      if (length === 0) {
        if (position >= end) throw damaged('tokens run past the segment');
        lengths[i] = 0;
        values[i] = data[position]!;
        position++;
      } else {
        lengths[i] = length;
        values[i] = distance;
        position += length;
        if (position > end) throw damaged('tokens run past the segment');
      }
    }
    tokens.count = count;
    if (horizonAtEnd && position !== horizon) throw damaged('block does not end at its recorded flush point');
    if (type === BLOCK_DYNAMIC) {
      if (rawHeader !== null) {
        out.copyBits(rawHeader, 0, rawHeaderBits);
        readDynamicHeader(new BitReader(rawHeader), codes);
      } else {
        writePredictedHeader(tokens, codes, out);
      }
      writeTokens(tokens, codes, out);
    } else {
      writeTokens(tokens, null, out);
    }
    if (horizonAtEnd) model.forgetLazy();
  }
  if (position !== end || out.bitLength - bitStart !== segment.bitLength) {
    throw damaged('segment does not rebuild to its recorded size', { segment: index });
  }
}

/**
 * Rebuilds segment `index` on its own, as a worker thread does: `plaintext[0]`
 * is plaintext offset `base`, and it holds the segment, the 32 KiB before it
 * and SEGMENT_LOOKAHEAD bytes after it (or up to the end of the plaintext).
 * Returns the compressed bytes from the segment's first byte (its leading bits
 * from the correction stream) up to the last byte the segment completes; the
 * byte it leaves partial is the next segment's first byte. The final segment
 * also gets the padded last byte. Concatenated in order, the pieces are the
 * stream.
 */
export function rebuildSegmentBytes(
  corrections: ParsedCorrections,
  index: number,
  plaintext: Uint8Array,
  base: number,
): Uint8Array {
  return rebuildLoneSegment(corrections, index, index === corrections.segments.length - 1, plaintext, base);
}

/** rebuildSegmentBytes for a correction stream cut down to the one segment (`final`: the stream's last). */
export function rebuildLoneSegment(
  corrections: ParsedCorrections,
  index: number,
  final: boolean,
  plaintext: Uint8Array,
  base: number,
): Uint8Array {
  const segment = corrections.segments[index];
  if (segment === undefined) throw new RangeError('no such segment');
  const windowStart = Math.max(0, segment.plainStart - WINDOW_SIZE);
  const needed = Math.min(corrections.plainLength, segment.plainStart + segment.plainLength + SEGMENT_LOOKAHEAD);
  if (base > windowStart || base + plaintext.length < needed) throw new RangeError('plaintext does not cover the segment');
  const out = new BitWriter(Math.max(1 << 12, segment.bitLength >>> 3) + 16);
  if ((segment.bitStart & 7) !== 0) out.bits(segment.prefixBits, segment.bitStart & 7);
  rebuildSegment(
    corrections,
    index,
    new MatchModel(corrections.params),
    plaintext,
    base,
    plaintext.length,
    newTokenBuffer(),
    newBlockCodes(),
    out,
  );
  if (final) {
    const padding = (8 - (out.bitLength & 7)) & 7;
    if (padding !== 0) out.bits(corrections.finalPadding, padding);
  }
  return out.take();
}

function parsed(corrections: Uint8Array | ParsedCorrections): ParsedCorrections {
  return corrections instanceof Uint8Array ? readCorrections(corrections) : corrections;
}

/** Rebuilds the original deflate stream from its whole plaintext. */
export function reconstructDeflate(plaintext: Uint8Array, corrections: Uint8Array | ParsedCorrections): Uint8Array {
  const rebuilder = new DeflateRebuilder(corrections);
  const head = rebuilder.push(plaintext);
  const tail = rebuilder.finish();
  if (tail.length === 0) return head;
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

/**
 * Streaming reconstruction: push plaintext in pieces of any size, get the
 * compressed bytes back as each segment completes. Memory stays at about one
 * segment of plaintext plus its 32 KiB window.
 *
 * Started at a restart point (`fromSegment`), it expects plaintext from that
 * segment's `windowStart` and yields the compressed stream from byte
 * `outputStart` on; the first byte's leading bits come from the correction
 * stream, so the output matches the original byte for byte.
 */
export class DeflateRebuilder {
  readonly corrections: ParsedCorrections;
  /** Plaintext offset of the first byte `push` expects. */
  readonly plaintextStart: number;
  /** Compressed offset of the first byte produced. */
  readonly outputStart: number;
  private readonly model: MatchModel;
  private readonly tokens = newTokenBuffer();
  private readonly codes = newBlockCodes();
  private readonly out = new BitWriter(1 << 16);
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferBase: number;
  private bufferLength = 0;
  private next: number;
  private finished = false;
  /** The caller's whole plaintext is the buffer: never copied, never trimmed. */
  private inPlace = false;

  constructor(corrections: Uint8Array | ParsedCorrections, options: { fromSegment?: number } = {}) {
    this.corrections = parsed(corrections);
    const from = options.fromSegment ?? 0;
    const { segments } = this.corrections;
    if (!Number.isInteger(from) || from < 0 || (from >= segments.length && !(from === 0 && segments.length === 0))) {
      throw new RangeError('no such restart segment');
    }
    this.model = new MatchModel(this.corrections.params);
    this.next = from;
    const segment = segments[from];
    this.plaintextStart = segment === undefined ? 0 : Math.max(0, segment.plainStart - WINDOW_SIZE);
    this.bufferBase = this.plaintextStart;
    this.outputStart = segment === undefined ? 0 : segment.bitStart >>> 3;
    if (segment !== undefined && (segment.bitStart & 7) !== 0) this.out.bits(segment.prefixBits, segment.bitStart & 7);
  }

  /** Adds plaintext; returns the compressed bytes completed so far (maybe none). */
  push(chunk: Uint8Array): Uint8Array {
    if (this.finished) throw new RangeError('push after finish');
    const total = this.corrections.plainLength;
    if (this.bufferBase + this.bufferLength + chunk.length > total) {
      throw malformed('more plaintext than the stream holds', { plainLength: total });
    }
    if (this.bufferLength === 0 && this.buffer.length === 0 && this.next === 0 && chunk.length === total) {
      // Whole plaintext at once: work on it in place.
      this.buffer = chunk;
      this.bufferLength = chunk.length;
      this.inPlace = true;
    } else {
      this.append(chunk);
    }
    this.run();
    return this.out.take();
  }

  /** Call after the last plaintext; returns the remaining bytes. */
  finish(): Uint8Array {
    if (this.finished) throw new RangeError('finish called twice');
    this.run();
    if (this.next < this.corrections.segments.length) {
      throw malformed('plaintext ended before the stream', { plainLength: this.corrections.plainLength });
    }
    this.finished = true;
    const out = this.out;
    const padding = (8 - (out.bitLength & 7)) & 7;
    if (padding !== 0) out.bits(this.corrections.finalPadding, padding);
    return out.take();
  }

  private append(chunk: Uint8Array): void {
    const needed = this.bufferLength + chunk.length;
    if (needed > this.buffer.length || this.inPlace) {
      this.inPlace = false;
      const next = new Uint8Array(Math.max(needed, this.buffer.length * 2, 1 << 16));
      next.set(this.buffer.subarray(0, this.bufferLength));
      this.buffer = next;
    }
    this.buffer.set(chunk, this.bufferLength);
    this.bufferLength = needed;
  }

  private run(): void {
    const { segments, plainLength } = this.corrections;
    while (this.next < segments.length) {
      const segment = segments[this.next]!;
      const segmentEnd = segment.plainStart + segment.plainLength;
      const needed = Math.min(plainLength, segmentEnd + SEGMENT_LOOKAHEAD);
      if (this.bufferBase + this.bufferLength < needed) return;
      rebuildSegment(
        this.corrections,
        this.next,
        this.model,
        this.buffer,
        this.bufferBase,
        this.bufferLength,
        this.tokens,
        this.codes,
        this.out,
      );
      this.next++;
      this.discardBefore(Math.max(0, segmentEnd - WINDOW_SIZE));
    }
  }

  /** Drops plaintext no later segment can reach. */
  private discardBefore(offset: number): void {
    if (this.inPlace) return;
    const drop = offset - this.bufferBase;
    if (drop <= 0) return;
    if (drop >= this.bufferLength) {
      this.bufferBase += this.bufferLength;
      this.bufferLength = 0;
      return;
    }
    // Compact only once the dead part is most of the buffer, so copying stays linear.
    if (drop < this.bufferLength - drop) return;
    const keep = this.buffer.subarray(drop, this.bufferLength);
    const next = new Uint8Array(Math.max(keep.length * 2, 1 << 16));
    next.set(keep);
    this.buffer = next;
    this.bufferBase = offset;
    this.bufferLength = keep.length;
  }
}

/**
 * Async form of DeflateRebuilder: yields the compressed stream (from the
 * restart point's compressed offset when `fromSegment` is given) while
 * `plaintext` is read.
 */
export async function* rebuildDeflateStream(
  plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  corrections: Uint8Array | ParsedCorrections,
  options: { fromSegment?: number } = {},
): AsyncGenerator<Uint8Array> {
  const rebuilder = new DeflateRebuilder(corrections, options);
  for await (const chunk of plaintext) {
    const out = rebuilder.push(chunk);
    if (out.length > 0) yield out;
  }
  const tail = rebuilder.finish();
  if (tail.length > 0) yield tail;
}
