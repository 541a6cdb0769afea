import { StrataError } from '@strata/errors';
import { NEED_MORE_BYTES, scanForCut } from './cut-point.ts';
import { type ChunkParams, type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, resolveChunkParams } from './options.ts';

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
 * `finish` ends the stream and leaves the chunker ready for the next one.
 */
export class Chunker {
  readonly options: Readonly<Required<ChunkerOptions>>;
  readonly #params: ChunkParams;
  /** The chunk in progress: pending bytes are #buffer[0, #pending). Allocated on first use. */
  #buffer: Uint8Array | undefined;
  #pending = 0;
  /** Largest candidate length already rejected for the chunk in progress. */
  #scanned = 0;

  constructor(options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS) {
    this.#params = resolveChunkParams(options);
    const { minSize, avgSize, maxSize, normalization } = this.#params;
    this.options = Object.freeze({ minSize, avgSize, maxSize, normalization });
  }

  /** Bytes pushed but not yet returned in a chunk (always less than maxSize). */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Adds the next bytes of the stream; returns the chunks they complete, in order. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (!(bytes instanceof Uint8Array)) throw new StrataError('InvalidArgument', 'Chunker.push needs a Uint8Array');
    const chunks: Uint8Array[] = [];
    let offset = 0;
    if (this.#buffer !== undefined && this.#pending > 0) {
      // The chunk in progress ends within maxSize of its start, so only that
      // much input is ever copied in; later chunks are cut from the input in place.
      const before = this.#pending;
      const take = Math.min(bytes.length, this.#params.maxSize - before);
      const buffer = this.#reserve(before + take);
      buffer.set(bytes.subarray(0, take), before);
      const size = scanForCut(buffer, 0, before + take, this.#params, false, this.#scanned);
      if (size === NEED_MORE_BYTES) {
        this.#pending = before + take;
        this.#scanned = this.#pending;
        return chunks;
      }
      chunks.push(buffer.slice(0, size));
      offset = size - before;
      this.#pending = 0;
    }
    const { length } = bytes;
    while (offset < length) {
      const size = scanForCut(bytes, offset, length, this.#params, false, 0);
      if (size === NEED_MORE_BYTES) {
        this.#reserve(length - offset).set(bytes.subarray(offset), 0);
        this.#pending = length - offset;
        this.#scanned = this.#pending;
        break;
      }
      chunks.push(bytes.slice(offset, offset + size));
      offset += size;
    }
    return chunks;
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
    // found so far, so it is exactly one chunk.
    const tail = this.#pending === 0 ? undefined : this.#buffer?.slice(0, this.#pending);
    this.#pending = 0;
    this.#scanned = 0;
    return tail;
  }
}
