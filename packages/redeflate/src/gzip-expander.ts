import { crc32 } from 'node:zlib';
import { DeflateExpander, type DeflateExpanderResult, type ExpandOptions, READ_BYTES } from './expand-deflate.ts';
import { malformed } from './failures.ts';
import { GZIP_CORRECTIONS_MAGIC, GZIP_CORRECTIONS_VERSION, type GzipRestartPoint, concat, gzipHeaderLength, isGzip } from './gzip.ts';
import { ByteSink } from './varint.ts';

/** Per member: where its deflate stream ended and what modelling it found. */
export type GzipMemberStats = Omit<DeflateExpanderResult, 'corrections' | 'restartPoints' | 'plainLength'>;

/** What a finished GzipExpander recorded. */
export interface GzipExpanderResult {
  corrections: Uint8Array;
  restartPoints: GzipRestartPoint[];
  plainLength: number;
  members: GzipMemberStats[];
}

export interface GzipExpansion extends GzipExpanderResult {
  plaintext: Uint8Array;
}

/** Expands every member of a gzip file held whole; the corrections also carry headers, trailers and trailing bytes. */
export function expandGzip(bytes: Uint8Array, options: ExpandOptions = {}): GzipExpansion {
  const expander = new GzipExpander(options);
  const pieces: Uint8Array[] = [];
  for (let batch = expander.push(bytes); batch.length > 0; batch = expander.more()) pieces.push(...batch);
  for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) pieces.push(...batch);
  const result = expander.result();
  return { ...result, plaintext: pieces.length === 1 ? pieces[0]! : concat(pieces, result.plainLength) };
}

type Part = 'header' | 'body' | 'trailer' | 'between' | 'trailing';

/**
 * Streaming gzip expansion: compressed bytes in as they arrive, plaintext
 * out as its deflate blocks complete, about READ_BYTES per call, the
 * correction stream at the end (the same one expanding the file at once
 * gives). `push` and `finish` return the first plaintext their input
 * completed; `more` returns the next, until it returns none (then push
 * more, or after `finish`, take the `result`). Memory stays at about one
 * correction segment of plaintext and of compressed input plus the
 * correction stream, whatever the compression ratio. Members follow one
 * another while the next bytes start one; whatever follows the last is
 * kept verbatim as trailing bytes. Throws InvalidArgument as soon as the
 * input is seen not to be gzip (a bad header, a malformed deflate stream, a
 * trailer that does not match) and by the end when it is truncated.
 */
export class GzipExpander {
  private readonly options: ExpandOptions;
  private part: Part = 'header';
  /** Input not handed to a member's deflate stream yet: a header, a trailer, what follows them. */
  private held: Uint8Array = new Uint8Array(0);
  private member: DeflateExpander | undefined;
  /** The member's deflate result, until its trailer is in. */
  private pendingResult: DeflateExpanderResult | undefined;
  private pendingConsumed = 0;
  private header: Uint8Array = new Uint8Array(0);
  private memberOffset = 0;
  private bodyStart = 0;
  private crc = 0;
  private memberPlain = 0;
  private plainOffset = 0;
  private readonly entries = new ByteSink();
  private count = 0;
  private readonly restartPoints: GzipRestartPoint[] = [];
  private readonly members: GzipMemberStats[] = [];
  private readonly trailing: Uint8Array[] = [];
  private inputEnded = false;
  private finished: GzipExpanderResult | undefined;

  constructor(options: ExpandOptions = {}) {
    this.options = options;
  }

  /** Feeds the next compressed bytes (copied); returns the first plaintext they completed (maybe none). */
  push(compressed: Uint8Array): Uint8Array[] {
    if (this.inputEnded) throw new RangeError('push after finish');
    if (this.part === 'body' && !this.member!.done) this.member!.push(compressed);
    else this.held = concat([this.held, compressed], this.held.length + compressed.length);
    return this.work();
  }

  /** The next plaintext the input given so far holds; none when it is all out. */
  more(): Uint8Array[] {
    return this.work();
  }

  /** Ends the input; returns the first of the remaining plaintext (call `more` for the rest). */
  finish(): Uint8Array[] {
    if (this.inputEnded) throw new RangeError('finish called twice');
    this.inputEnded = true;
    if (this.part === 'body') this.member!.end();
    return this.work();
  }

  /** Bytes of input and plaintext held right now (the correction stream aside): what streaming keeps small. */
  get heldBytes(): number {
    return this.held.length + (this.member?.heldBytes ?? 0);
  }

  /** The correction stream and restart points; after `finish` and once `more` returned none. */
  result(): GzipExpanderResult {
    if (this.finished) return this.finished;
    if (!this.inputEnded || this.part !== 'trailing') throw new RangeError('result before the end of the input');
    const out = new ByteSink();
    out.bytes(GZIP_CORRECTIONS_MAGIC);
    out.byte(GZIP_CORRECTIONS_VERSION);
    out.uint(this.count);
    out.bytes(this.entries.view());
    const trailing = concat(this.trailing, this.trailing.reduce((sum, piece) => sum + piece.length, 0));
    out.uint(trailing.length);
    out.bytes(trailing);
    this.finished = { corrections: out.view().slice(), restartPoints: this.restartPoints, plainLength: this.plainOffset, members: this.members };
    return this.finished;
  }

  /** Runs through headers, members and trailers until about READ_BYTES of plaintext is out or more input is needed. */
  private work(): Uint8Array[] {
    const out: Uint8Array[] = [];
    let produced = 0;
    for (;;) {
      switch (this.part) {
        case 'header': {
          const length = gzipHeaderLength(this.held);
          if (length < 0) {
            if (this.inputEnded) throw malformed(this.held.length < 10 ? 'not a gzip member' : 'gzip header is truncated', { offset: this.memberOffset });
            return out;
          }
          this.header = this.held.slice(0, length);
          this.bodyStart = this.memberOffset + length;
          const member = new DeflateExpander(this.options);
          const rest = this.held.subarray(length);
          if (rest.length > 0) member.push(rest);
          if (this.inputEnded) member.end();
          this.held = new Uint8Array(0);
          this.member = member;
          this.crc = 0;
          this.memberPlain = 0;
          this.part = 'body';
          continue;
        }
        case 'body': {
          if (produced >= READ_BYTES) return out;
          const member = this.member!;
          const pieces = member.read(READ_BYTES - produced);
          for (const piece of pieces) {
            this.crc = crc32(piece, this.crc);
            this.memberPlain += piece.length;
            produced += piece.length;
            out.push(piece);
          }
          if (pieces.length > 0) continue;
          if (!member.done) return out;
          const result = member.result();
          // Input pushed after the stream's end waited in `held`; what the stream was given past it comes first.
          const after = member.leftover();
          this.held = concat([after, this.held], after.length + this.held.length);
          this.endBody(result);
          this.part = 'trailer';
          continue;
        }
        case 'trailer': {
          if (this.held.length < 8) {
            if (this.inputEnded) throw malformed('gzip member is truncated', { offset: this.memberOffset });
            return out;
          }
          this.endMember(this.held.subarray(0, 8));
          this.memberOffset = this.bodyStart + this.pendingConsumed + 8;
          this.held = this.held.subarray(8);
          this.part = 'between';
          continue;
        }
        case 'between':
          if (this.held.length < 3 && !this.inputEnded) return out;
          this.part = isGzip(this.held) ? 'header' : 'trailing';
          continue;
        case 'trailing':
          if (this.held.length > 0) this.trailing.push(this.held.slice());
          this.held = new Uint8Array(0);
          return out;
      }
    }
  }

  private endBody(result: DeflateExpanderResult): void {
    this.pendingResult = result;
    this.pendingConsumed = result.consumed;
    for (const point of result.restartPoints) {
      this.restartPoints.push({
        member: this.count,
        segment: point.segment,
        plaintextOffset: this.plainOffset + point.plaintextOffset,
        compressedOffset: this.bodyStart + point.compressedOffset,
        bitOffset: this.bodyStart * 8 + point.bitOffset,
        windowStart: this.plainOffset + point.windowStart,
      });
    }
    const { corrections: _corrections, restartPoints: _points, plainLength: _length, ...stats } = result;
    this.members.push(stats);
  }

  private endMember(trailer: Uint8Array): void {
    const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
    if (view.getUint32(0, true) !== this.crc >>> 0 || view.getUint32(4, true) !== this.memberPlain % 2 ** 32) {
      throw malformed('gzip trailer does not match the member contents', { offset: this.memberOffset });
    }
    const result = this.pendingResult!;
    this.entries.uint(this.header.length);
    this.entries.bytes(this.header);
    this.entries.bytes(trailer);
    this.entries.uint(this.memberPlain);
    this.entries.uint(result.corrections.length);
    this.entries.bytes(result.corrections);
    this.plainOffset += this.memberPlain;
    this.count++;
    this.member = undefined;
    this.pendingResult = undefined;
  }
}
