import { StrataError } from '@strata/errors';
import { NEED_MORE_BYTES, scanForCut } from './cut-point.ts';
import { type ChunkParams, type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, resolveChunkParams } from './options.ts';

/**
 * Offsets where a chunker should prefer to cut, found in the stream itself
 * (for example the starts of tar members). Each offset must follow from
 * the bytes before it alone, and be announced by the time `feed` has been
 * given the bytes up to it, so that cuts never depend on how the input is
 * split.
 */
export interface PreferredCuts {
  /** Reads the next bytes of the stream. */
  feed(bytes: Uint8Array): void;
  /** The first preferred offset at or after `from`; earlier ones may be forgotten. */
  nextStart(from: number): number | undefined;
}

/**
 * Incremental chunker: feed a stream's bytes in pieces of any size, get its
 * chunks as soon as their end is known. The boundaries are exactly those of
 * `cutPoints` over the whole stream, however the input is split.
 *
 * It holds at most maxSize bytes of its own (the start of the chunk in
 * progress) besides the input being pushed; every chunk it returns is a
 * fresh copy, so it stays valid whatever the caller later does with its
 * input buffers.
 *
 * With `preferredCuts`, a preferred offset at least minSize into the chunk
 * in progress ends it there, unless FastCDC cuts first.
 *
 * `finish` ends the stream and leaves the chunker ready for the next one.
 */
export class Chunker {
  readonly options: Readonly<Required<ChunkerOptions>>;
  readonly #params: ChunkParams;
  readonly #newPreferredCuts: (() => PreferredCuts) | undefined;
  #preferredCuts: PreferredCuts | undefined;
  /** Stream offset where the chunk in progress starts. */
  #chunkStart = 0;
  /** The chunk in progress: pending bytes are #buffer[0, #pending). Allocated on first use. */
  #buffer: Uint8Array | undefined;
  #pending = 0;
  /** Largest candidate length already rejected for the chunk in progress. */
  #scanned = 0;

  /** `preferredCuts` makes the finder for each stream; none gives plain FastCDC. */
  constructor(options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS, preferredCuts?: () => PreferredCuts) {
    this.#params = resolveChunkParams(options);
    const { minSize, avgSize, maxSize, normalization } = this.#params;
    this.options = Object.freeze({ minSize, avgSize, maxSize, normalization });
    this.#newPreferredCuts = preferredCuts;
    this.#preferredCuts = preferredCuts?.();
  }

  /** Bytes pushed but not yet returned in a chunk (always less than maxSize). */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Adds the next bytes of the stream; returns the chunks they complete, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (!(bytes instanceof Uint8Array)) throw new StrataError('InvalidArgument', 'Chunker.push needs a Uint8Array');
    // Every preferred offset up to the end of these bytes is known before any cut is decided.
    this.#preferredCuts?.feed(bytes);
    const chunks: Uint8Array[] = [];
    let offset = 0;
    if (this.#buffer !== undefined && this.#pending > 0) {
      // The chunk in progress ends within maxSize of its start, so only that
      // much input is ever copied in; later chunks are cut from the input in place.
      const before = this.#pending;
      const take = Math.min(bytes.length, this.#params.maxSize - before);
      const buffer = this.#reserve(before + take);
      buffer.set(bytes.subarray(0, take), before);
      const size = this.#findCut(buffer, 0, before + take);
      if (size === NEED_MORE_BYTES) {
        this.#pending = before + take;
        this.#scanned = this.#pending;
        return chunks;
      }
      chunks.push(buffer.slice(0, size));
      this.#cutAt(size);
      offset = size - before;
      this.#pending = 0;
    }
    const { length } = bytes;
    while (offset < length) {
      const size = this.#findCut(bytes, offset, length);
      if (size === NEED_MORE_BYTES) {
        this.#reserve(length - offset).set(bytes.subarray(offset), 0);
        this.#pending = length - offset;
        this.#scanned = this.#pending;
        break;
      }
      chunks.push(bytes.slice(offset, offset + size));
      this.#cutAt(size);
      offset += size;
    }
    return chunks;
  }

  /** The length of the chunk in progress, whose bytes are data[start, end), or NEED_MORE_BYTES. */
  #findCut(data: Uint8Array, start: number, end: number): number {
    const params = this.#params;
    const preferred = this.#preferredCuts?.nextStart(this.#chunkStart + params.minSize);
    if (preferred !== undefined) {
      const length = preferred - this.#chunkStart;
      if (length <= end - start && length <= params.maxSize) {
        const cut = scanForCut(data, start, start + length, params, false, this.#scanned);
        return cut === NEED_MORE_BYTES ? length : cut;
      }
    }
    return scanForCut(data, start, end, params, false, this.#scanned);
  }

  #cutAt(size: number): void {
    this.#chunkStart += size;
    this.#scanned = 0;
  }

  // The buffer grows with the chunk in progress (up to maxSize), so a stream
  // of a few KiB never pays for a maxSize allocation.
  #reserve(bytes: number): Uint8Array {
    const current = this.#buffer;
    if (current && current.length >= bytes) return current;
    const grown = new Uint8Array(Math.min(this.#params.maxSize, Math.max(bytes, 2 * (current?.length ?? 0), 16 * 1024)));
    if (current && this.#pending > 0) grown.set(current.subarray(0, this.#pending));
    this.#buffer = grown;
    return grown;
  }

  /** Ends the stream: returns its last chunk, or undefined when nothing is pending. */
  finish(): Uint8Array | undefined {
    // A pending region is always shorter than maxSize and has no cut point
    // (nor preferred offset minSize into it) found so far, so it is exactly one chunk.
    const tail = this.#pending === 0 ? undefined : this.#buffer?.slice(0, this.#pending);
    this.#pending = 0;
    this.#scanned = 0;
    this.#chunkStart = 0;
    this.#preferredCuts = this.#newPreferredCuts?.();
    return tail;
  }
}
