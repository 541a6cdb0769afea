/**
 * Finds where the members of a tar stream start, incrementally, without
 * trusting the stream to be a tar at all.
 *
 * A *member* is what a user sees as one entry: its extension headers (pax
 * 'x', GNU long name 'L' and long link 'K') and the header they extend form
 * one member, so the member starts at the first of them. The scanner
 * announces the start of the next member as soon as the header before it
 * has been read, that is before a single byte of the next member arrives:
 * a chunker deciding a cut at that offset never waits for it, and the
 * answer depends only on the bytes before it, however the input is split.
 *
 * Formats: v7, ustar, GNU (base-256 sizes, old sparse files with their
 * extension blocks) and pax (a 'size' record overrides the next header's
 * size). Sparse data, like any member's data, is skipped as it is. The
 * first block that is not a valid header (bad checksum, bad number), the
 * end-of-archive zero block, or anything after it stops the scan for good:
 * no further starts are announced, so a stream that is not a tar gets none.
 */

const BLOCK = 512;
/** Pax extension data larger than this is skipped unread: real ones are a few hundred bytes. */
const MAX_PAX_BYTES = 1024 * 1024;

const STATE = {
  header: 0,
  skip: 1,
  pax: 2,
  sparseExtension: 3,
  stopped: 4,
} as const;
type State = (typeof STATE)[keyof typeof STATE];

/** Types whose header is never followed by data, whatever their size field says (as Go's archive/tar reads them). */
const HEADER_ONLY_TYPES = new Set(['1', '2', '3', '4', '5', '6'].map((c) => c.charCodeAt(0)));
const PAX_EXTENDED = 'x'.charCodeAt(0);
const GNU_LONG_NAME = 'L'.charCodeAt(0);
const GNU_LONG_LINK = 'K'.charCodeAt(0);
const GNU_SPARSE = 'S'.charCodeAt(0);

export class TarMemberScanner {
  #state: State = STATE.header;
  /** Stream offset of the next byte to be fed. */
  #offset = 0;
  readonly #block = new Uint8Array(BLOCK);
  #blockFill = 0;
  /** Bytes left to skip (skip state) or to collect (pax state). */
  #remaining = 0;
  /** Padding to skip after the pax data is collected. */
  #paxPadding = 0;
  #pax: Uint8Array | undefined;
  #paxFill = 0;
  /** A pax 'size' record that applies to the next header. */
  #paxSize: number | undefined;
  /** Data bytes (padded) of the sparse member whose extension blocks are being read. */
  #sparseData = 0;
  /** Member starts announced and not yet taken, ascending. */
  readonly #starts: number[] = [];
  #startsHead = 0;

  /** Reads the next bytes of the stream. */
  feed(bytes: Uint8Array): void {
    let i = 0;
    const length = bytes.length;
    while (i < length && this.#state !== STATE.stopped) {
      switch (this.#state) {
        case STATE.skip: {
          const take = Math.min(this.#remaining, length - i);
          this.#remaining -= take;
          i += take;
          this.#offset += take;
          if (this.#remaining === 0) this.#state = STATE.header;
          break;
        }
        case STATE.pax: {
          const take = Math.min(this.#remaining, length - i);
          this.#pax!.set(bytes.subarray(i, i + take), this.#paxFill);
          this.#paxFill += take;
          this.#remaining -= take;
          i += take;
          this.#offset += take;
          if (this.#remaining === 0) {
            this.#paxSize = paxSize(this.#pax!);
            this.#pax = undefined;
            this.#remaining = this.#paxPadding;
            this.#state = this.#remaining === 0 ? STATE.header : STATE.skip;
          }
          break;
        }
        default: {
          const take = Math.min(BLOCK - this.#blockFill, length - i);
          this.#block.set(bytes.subarray(i, i + take), this.#blockFill);
          this.#blockFill += take;
          i += take;
          this.#offset += take;
          if (this.#blockFill === BLOCK) {
            this.#blockFill = 0;
            if (this.#state === STATE.header) this.#readHeader();
            else this.#readSparseExtension();
          }
        }
      }
    }
    // Bytes after the scan stopped are not looked at, only counted.
    this.#offset += length - i;
  }

  /** The first announced start at or after `from`, dropping those before it; undefined when none is known yet. */
  nextStart(from: number): number | undefined {
    while (this.#startsHead < this.#starts.length && this.#starts[this.#startsHead]! < from) this.#startsHead++;
    this.#compact();
    return this.#starts[this.#startsHead];
  }

  #compact(): void {
    if (this.#startsHead > 1024 && this.#startsHead * 2 > this.#starts.length) {
      this.#starts.splice(0, this.#startsHead);
      this.#startsHead = 0;
    }
  }

  #stop(): void {
    this.#state = STATE.stopped;
    this.#pax = undefined;
  }

  #readHeader(): void {
    const block = this.#block;
    const headerStart = this.#offset - BLOCK;
    if (isZeroBlock(block)) return this.#stop();
    if (!checksumMatches(block)) return this.#stop();
    const declared = parseNumber(block, 124, 12);
    if (declared === undefined) return this.#stop();
    const type = block[156]!;
    const extension = type === PAX_EXTENDED || type === GNU_LONG_NAME || type === GNU_LONG_LINK;
    let size = declared;
    if (!extension) {
      if (this.#paxSize !== undefined) size = this.#paxSize;
      this.#paxSize = undefined;
      if (HEADER_ONLY_TYPES.has(type)) size = 0;
    }
    const padded = roundUp(size);
    if (!Number.isSafeInteger(headerStart + BLOCK + padded)) return this.#stop();

    if (type === GNU_SPARSE && block[482] !== 0) {
      // The sparse map continues in extension blocks before the data; the
      // next member's start is known only once they have been read.
      this.#sparseData = padded;
      this.#state = STATE.sparseExtension;
      return;
    }
    this.#announceAfter(headerStart + BLOCK + padded, extension);
    if (type === PAX_EXTENDED && size <= MAX_PAX_BYTES && size > 0) {
      this.#pax = new Uint8Array(size);
      this.#paxFill = 0;
      this.#remaining = size;
      this.#paxPadding = padded - size;
      this.#state = STATE.pax;
      return;
    }
    this.#remaining = padded;
    this.#state = padded === 0 ? STATE.header : STATE.skip;
  }

  #readSparseExtension(): void {
    // Each extension block holds 21 sparse entries and, at byte 504, whether another block follows.
    if (this.#block[504] !== 0) return;
    this.#announceAfter(this.#offset + this.#sparseData, false);
    this.#remaining = this.#sparseData;
    this.#state = this.#remaining === 0 ? STATE.header : STATE.skip;
  }

  /** The header at `next` follows; it starts a member unless the header just read extends it. */
  #announceAfter(next: number, extension: boolean): void {
    if (!extension) this.#starts.push(next);
  }
}

function roundUp(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * The header checksum: the sum of its bytes with the checksum field read as
 * spaces. Some old tars summed signed bytes, so either sum is accepted.
 */
function checksumMatches(block: Uint8Array): boolean {
  const stored = parseNumber(block, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/**
 * A numeric header field: octal digits, optionally surrounded by spaces and
 * ended by NUL or space; or GNU base-256 (high bit of the first byte set)
 * for values too large for octal. Undefined for anything else, for
 * negative base-256 values and for values beyond 2^53.
 */
export function parseNumber(block: Uint8Array, at: number, width: number): number | undefined {
  const first = block[at]!;
  if (first & 0x80) {
    if (first & 0x40) return undefined;
    let value = first & 0x3f;
    for (let i = at + 1; i < at + width; i++) {
      value = value * 256 + block[i]!;
      if (value > Number.MAX_SAFE_INTEGER) return undefined;
    }
    return value;
  }
  let i = at;
  const end = at + width;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return undefined;
    value = value * 8 + (c - 0x30);
  }
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) return undefined;
  return value;
}

/**
 * The 'size' record of pax extension data ("<length> <key>=<value>\n"
 * records), or undefined when it has none or the records are malformed.
 */
function paxSize(data: Uint8Array): number | undefined {
  let at = 0;
  let size: number | undefined;
  while (at < data.length) {
    let space = at;
    while (space < data.length && data[space] !== 0x20) space++;
    const length = Number(Buffer.from(data.subarray(at, space)).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > data.length) return size;
    const record = Buffer.from(data.subarray(space + 1, at + length - 1)).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0 && record.slice(0, equals) === 'size') {
      const value = record.slice(equals + 1);
      size = /^\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
    }
    at += length;
  }
  return size;
}
