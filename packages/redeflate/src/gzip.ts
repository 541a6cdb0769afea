import { crc32 } from 'node:zlib';
import { type RestartPoint } from './expand-deflate.ts';
import { damaged, malformed } from './failures.ts';
import { inflateWithBlocks } from './inflate.ts';
import { DeflateRebuilder } from './rebuild-deflate.ts';
import { readCorrections } from './corrections.ts';
import { ByteSource } from './varint.ts';

/** First bytes of a gzip correction stream: "RGZ" and the format version. */
export const GZIP_CORRECTIONS_MAGIC = Uint8Array.from([0x52, 0x47, 0x5a]);
export const GZIP_CORRECTIONS_VERSION = 1;

const FLAG_HCRC = 2;
const FLAG_EXTRA = 4;
const FLAG_NAME = 8;
const FLAG_COMMENT = 16;
const FLAG_RESERVED = 0xe0;

/** One gzip member, its header and trailer kept as they were written. */
export interface GzipMember {
  offset: number;
  header: Uint8Array;
  /** The raw deflate stream. */
  body: Uint8Array;
  /** CRC32 and ISIZE, 8 bytes. */
  trailer: Uint8Array;
  plainLength: number;
}

export interface ParsedGzip {
  members: GzipMember[];
  /** Bytes after the last member (padding, garbage), kept verbatim. */
  trailing: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 8;
}

/** Length of the gzip member header at `offset` (RFC 1952 section 2.3). */
function headerLength(bytes: Uint8Array, offset: number): number {
  const length = gzipHeaderLength(bytes.subarray(offset));
  if (length < 0) throw malformed(bytes.length - offset < 10 ? 'not a gzip member' : 'gzip header is truncated', { offset });
  return length;
}

/**
 * Length of the gzip member header `bytes` starts with (RFC 1952 section
 * 2.3), or -1 when they end before it does. Throws InvalidArgument when
 * they do not start a gzip member.
 */
export function gzipHeaderLength(bytes: Uint8Array): number {
  if (bytes.length < 10) {
    if (bytes.length >= 3 && !isGzip(bytes)) throw malformed('not a gzip member');
    return -1;
  }
  if (!isGzip(bytes)) throw malformed('not a gzip member');
  const flags = bytes[3]!;
  if ((flags & FLAG_RESERVED) !== 0) throw malformed('gzip header has reserved flags set');
  let at = 10;
  if ((flags & FLAG_EXTRA) !== 0) {
    if (at + 2 > bytes.length) return -1;
    at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if ((flags & flag) === 0) continue;
    while (at < bytes.length && bytes[at] !== 0) at++;
    if (at >= bytes.length) return -1;
    at++;
  }
  if ((flags & FLAG_HCRC) !== 0) at += 2;
  return at > bytes.length ? -1 : at;
}

function checkTrailer(trailer: Uint8Array, plaintext: Uint8Array, offset: number): void {
  if (trailer.length < 8) throw malformed('gzip member is truncated', { offset });
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  if (view.getUint32(0, true) !== crc32(plaintext) || view.getUint32(4, true) !== plaintext.length % 2 ** 32) {
    throw malformed('gzip trailer does not match the member contents', { offset });
  }
}

/**
 * Walks a gzip file: members one after another while the next bytes start a
 * member, anything after that is `trailing`. Decodes each member to find its
 * end and check its CRC32 and size.
 */
export function parseGzip(bytes: Uint8Array): ParsedGzip {
  const members: GzipMember[] = [];
  let offset = 0;
  do {
    const header = bytes.subarray(offset, offset + headerLength(bytes, offset));
    const bodyStart = offset + header.length;
    const { plaintext, bitEnd } = inflateWithBlocks(bytes.subarray(bodyStart));
    const bodyEnd = bodyStart + Math.ceil(bitEnd / 8);
    const trailer = bytes.subarray(bodyEnd, bodyEnd + 8);
    checkTrailer(trailer, plaintext, offset);
    members.push({ offset, header, body: bytes.subarray(bodyStart, bodyEnd), trailer, plainLength: plaintext.length });
    offset = bodyEnd + 8;
  } while (isGzip(bytes.subarray(offset)));
  return { members, trailing: bytes.subarray(offset) };
}

/** A restart point in a gzip file: file offsets and plaintext offsets are of the whole file. */
export interface GzipRestartPoint extends RestartPoint {
  member: number;
}

/** Joins byte arrays into one of `length` bytes. */
export function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export interface GzipMemberCorrections {
  header: Uint8Array;
  trailer: Uint8Array;
  plainLength: number;
  corrections: Uint8Array;
}

export function readGzipCorrections(bytes: Uint8Array): { members: GzipMemberCorrections[]; trailing: Uint8Array } {
  const source = new ByteSource(bytes);
  const magic = source.bytes(3);
  if (magic[0] !== GZIP_CORRECTIONS_MAGIC[0] || magic[1] !== GZIP_CORRECTIONS_MAGIC[1] || magic[2] !== GZIP_CORRECTIONS_MAGIC[2]) {
    throw damaged('not a gzip correction stream');
  }
  const version = source.byte();
  if (version !== GZIP_CORRECTIONS_VERSION) throw damaged('unsupported gzip correction stream version', { version });
  const count = source.uint();
  if (count > bytes.length) throw damaged('gzip correction stream is damaged');
  const members: GzipMemberCorrections[] = [];
  for (let i = 0; i < count; i++) {
    const header = source.bytes(source.uint());
    const trailer = source.bytes(8);
    const plainLength = source.uint();
    const corrections = source.bytes(source.uint());
    members.push({ header, trailer, plainLength, corrections });
  }
  const trailing = source.bytes(source.uint());
  if (!source.done) throw damaged('gzip correction stream has extra bytes');
  return { members, trailing };
}

/**
 * Streaming gzip reconstruction: headers, each member's deflate stream,
 * trailers and trailing bytes, in file order. From a restart point it
 * expects plaintext from the point's `windowStart` and produces the file
 * from its `compressedOffset`.
 */
export class GzipRebuilder {
  /** Plaintext offset (of the whole file's plaintext) of the first byte `push` expects. */
  readonly plaintextStart: number;
  /** File offset of the first byte produced. */
  readonly outputStart: number;
  private readonly members: GzipMemberCorrections[];
  private readonly trailing: Uint8Array;
  private readonly memberPlainStarts: number[] = [];
  private member: number;
  private current: DeflateRebuilder | undefined;
  /** Plaintext the current member has been given, counted from its rebuilder's start. */
  private fed = 0;
  private pending: Uint8Array[] = [];

  constructor(corrections: Uint8Array, from?: { member: number; segment: number }) {
    const parsedFile = readGzipCorrections(corrections);
    this.members = parsedFile.members;
    this.trailing = parsedFile.trailing;
    let plain = 0;
    let fileOffset = 0;
    const fileOffsets: number[] = [];
    for (const member of this.members) {
      this.memberPlainStarts.push(plain);
      fileOffsets.push(fileOffset);
      plain += member.plainLength;
      fileOffset += member.header.length + Math.ceil(correctionsBitLength(member) / 8) + 8;
    }
    this.member = from?.member ?? 0;
    if (!Number.isInteger(this.member) || this.member < 0 || this.member >= this.members.length) {
      throw new RangeError('no such gzip member');
    }
    const entry = this.members[this.member]!;
    if (from !== undefined) {
      this.current = new DeflateRebuilder(entry.corrections, { fromSegment: from.segment });
      this.plaintextStart = this.memberPlainStarts[this.member]! + this.current.plaintextStart;
      this.outputStart = fileOffsets[this.member]! + entry.header.length + this.current.outputStart;
    } else {
      this.plaintextStart = 0;
      this.outputStart = 0;
    }
  }

  push(chunk: Uint8Array): Uint8Array {
    let rest = chunk;
    while (true) {
      this.startMember();
      const rebuilder = this.current;
      if (rebuilder === undefined) {
        if (rest.length > 0) throw malformed('more plaintext than the file holds');
        break;
      }
      const left = this.members[this.member]!.plainLength - rebuilder.plaintextStart - this.fed;
      const take = rest.length < left ? rest.length : left;
      if (take > 0) this.emit(rebuilder.push(rest.subarray(0, take)));
      this.fed += take;
      rest = rest.subarray(take);
      if (this.fed + rebuilder.plaintextStart < this.members[this.member]!.plainLength) break;
      this.endMember();
    }
    return this.drain();
  }

  finish(): Uint8Array {
    this.push(new Uint8Array(0));
    if (this.member < this.members.length) throw malformed('plaintext ended before the file');
    this.emit(this.trailing);
    return this.drain();
  }

  private startMember(): void {
    if (this.current !== undefined || this.member >= this.members.length) return;
    const entry = this.members[this.member]!;
    this.emit(entry.header);
    this.current = new DeflateRebuilder(entry.corrections);
    this.fed = 0;
  }

  private endMember(): void {
    this.emit(this.current!.finish());
    this.emit(this.members[this.member]!.trailer);
    this.current = undefined;
    this.member++;
  }

  private emit(bytes: Uint8Array): void {
    if (bytes.length > 0) this.pending.push(bytes);
  }

  private drain(): Uint8Array {
    const parts = this.pending;
    this.pending = [];
    if (parts.length === 1) return parts[0]!;
    return concat(parts, parts.reduce((sum, part) => sum + part.length, 0));
  }
}

function correctionsBitLength(member: GzipMemberCorrections): number {
  return readCorrections(member.corrections).bitLength;
}

/** Rebuilds a whole gzip file from its plaintext and corrections. */
export function reconstructGzip(plaintext: Uint8Array, corrections: Uint8Array): Uint8Array {
  const rebuilder = new GzipRebuilder(corrections);
  const head = rebuilder.push(plaintext);
  const tail = rebuilder.finish();
  return concat([head, tail], head.length + tail.length);
}

/** Async streaming form of GzipRebuilder. */
export async function* rebuildGzipStream(
  plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  corrections: Uint8Array,
  from?: { member: number; segment: number },
): AsyncGenerator<Uint8Array> {
  const rebuilder = new GzipRebuilder(corrections, from);
  for await (const chunk of plaintext) {
    const out = rebuilder.push(chunk);
    if (out.length > 0) yield out;
  }
  const tail = rebuilder.finish();
  if (tail.length > 0) yield tail;
}
