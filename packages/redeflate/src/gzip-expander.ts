import { crc32 } from 'node:zlib';
import { DeflateExpander, type DeflateExpanderResult, type ExpandOptions, joinPieces } from './expand-deflate.ts';
import { malformed } from './failures.ts';
import { GZIP_CORRECTIONS_MAGIC, GZIP_CORRECTIONS_VERSION, type GzipRestartPoint, gzipHeaderLength, isGzip } from './gzip.ts';
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
  const pieces = [...expander.push(bytes), ...expander.finish()];
  const result = expander.result();
  return { ...result, plaintext: pieces.length === 1 ? pieces[0]! : joinPieces(pieces, result.plainLength) };
}

type Part = 'header' | 'body' | 'trailer' | 'between' | 'trailing';

/**
 * Streaming gzip expansion: compressed bytes in as they arrive, plaintext
 * out as its deflate blocks complete, the correction stream at the end
 * (the same one expanding the file at once gives). Memory stays at about
 * one correction segment of plaintext and of compressed input, plus the
 * correction stream itself. Members follow one another while the next
 * bytes start one; whatever follows the last is kept verbatim as trailing
 * bytes. Throws InvalidArgument as soon as the input is seen not to be gzip
 * (a bad header, a malformed deflate stream, a trailer that does not match)
 * and at `finish` when it is truncated.
 */
export class GzipExpander {
  private readonly options: ExpandOptions;
  private part: Part = 'header';
  /** Bytes of a header, trailer or member start not complete yet. */
  private held: Uint8Array = new Uint8Array(0);
  /** File offset of the next byte to arrive. */
  private fileOffset = 0;
  private member: DeflateExpander | undefined;
  /** The member's deflate result, until its trailer is in. */
  private pendingResult: DeflateExpanderResult | undefined;
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
  private trailing: Uint8Array[] = [];
  private out: Uint8Array[] = [];
  private finished: GzipExpanderResult | undefined;
  private ended = false;

  constructor(options: ExpandOptions = {}) {
    this.options = options;
  }

  /** Feeds the next compressed bytes; returns the plaintext completed so far (in order, maybe none). */
  push(compressed: Uint8Array): Uint8Array[] {
    if (this.ended) throw new RangeError('push after finish');
    this.feed(compressed, false);
    return this.take();
  }

  /** Ends the input; returns the rest of the plaintext. */
  finish(): Uint8Array[] {
    if (this.ended) throw new RangeError('finish called twice');
    this.feed(new Uint8Array(0), true);
    this.ended = true;
    return this.take();
  }

  /** Bytes of input and plaintext held right now (the correction stream aside): what streaming keeps small. */
  get heldBytes(): number {
    return this.held.length + (this.member?.heldBytes ?? 0);
  }

  /** The correction stream and restart points; after `finish`. */
  result(): GzipExpanderResult {
    if (!this.ended) throw new RangeError('result before finish');
    if (this.finished) return this.finished;
    const out = new ByteSink();
    out.bytes(GZIP_CORRECTIONS_MAGIC);
    out.byte(GZIP_CORRECTIONS_VERSION);
    out.uint(this.count);
    out.bytes(this.entries.view());
    const trailing = joinPieces(this.trailing, this.trailing.reduce((sum, piece) => sum + piece.length, 0));
    out.uint(trailing.length);
    out.bytes(trailing);
    this.finished = { corrections: out.view().slice(), restartPoints: this.restartPoints, plainLength: this.plainOffset, members: this.members };
    return this.finished;
  }

  private take(): Uint8Array[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private hold(bytes: Uint8Array): Uint8Array {
    if (this.held.length === 0) return bytes;
    const joined = joinPieces([this.held, bytes], this.held.length + bytes.length);
    this.held = new Uint8Array(0);
    return joined;
  }

  private feed(bytes: Uint8Array, end: boolean): void {
    let rest = bytes;
    for (;;) {
      switch (this.part) {
        case 'header': {
          const data = this.hold(rest);
          const length = gzipHeaderLength(data);
          if (length < 0) {
            if (end) throw malformed(data.length < 10 ? 'not a gzip member' : 'gzip header is truncated', { offset: this.fileOffset });
            this.held = data.slice();
            return;
          }
          this.header = data.slice(0, length);
          this.memberOffset = this.fileOffset;
          this.bodyStart = this.fileOffset + length;
          this.fileOffset = this.bodyStart;
          this.member = new DeflateExpander(this.options);
          this.crc = 0;
          this.memberPlain = 0;
          rest = data.subarray(length);
          this.part = 'body';
          continue;
        }
        case 'body': {
          const member = this.member!;
          if (rest.length > 0) member.push(rest);
          if (end && !member.done) member.end();
          this.collect(member);
          if (!member.done) {
            this.fileOffset += rest.length;
            return;
          }
          const result = member.result();
          rest = member.leftover();
          this.fileOffset = this.bodyStart + result.consumed;
          this.endBody(result);
          this.part = 'trailer';
          continue;
        }
        case 'trailer': {
          const data = this.hold(rest);
          if (data.length < 8) {
            if (end) throw malformed('gzip member is truncated', { offset: this.memberOffset });
            this.held = data.slice();
            return;
          }
          this.endMember(data.subarray(0, 8));
          this.fileOffset += 8;
          rest = data.subarray(8);
          this.part = 'between';
          continue;
        }
        case 'between': {
          const data = this.hold(rest);
          if (data.length < 3 && !end) {
            this.held = data.slice();
            return;
          }
          rest = data;
          this.part = isGzip(data) ? 'header' : 'trailing';
          continue;
        }
        case 'trailing':
          if (rest.length > 0) this.trailing.push(rest.slice());
          this.fileOffset += rest.length;
          return;
      }
    }
  }

  private collect(member: DeflateExpander): void {
    for (const piece of member.takePlaintext()) {
      this.crc = crc32(piece, this.crc);
      this.memberPlain += piece.length;
      this.out.push(piece);
    }
  }

  private endBody(result: DeflateExpanderResult): void {
    this.pendingResult = result;
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
