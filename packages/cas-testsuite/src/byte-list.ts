/**
 * Bytes held as the list of pieces they were written in, so that a large
 * blob is never copied into one contiguous buffer.
 */
export class ByteList {
  readonly #pieces: Buffer[] = [];
  /** Offset of each piece's first byte, for finding where a range starts. */
  readonly #starts: number[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends a copy of `bytes`: callers may reuse their buffers. */
  append(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#starts.push(this.#length);
    this.#pieces.push(Buffer.from(bytes));
    this.#length += bytes.byteLength;
  }

  /** Copies of the bytes in [offset, offset + length), in pieces of at most `maxPiece`. */
  *range(offset: number, length: number, maxPiece: number): Generator<Buffer> {
    const end = Math.min(this.#length, offset + length);
    let position = offset;
    let index = this.#pieceAt(position);
    while (position < end) {
      const piece = this.#pieces[index];
      const start = this.#starts[index];
      if (piece === undefined || start === undefined) return;
      const from = position - start;
      const to = Math.min(piece.byteLength, end - start, from + maxPiece);
      yield Buffer.from(piece.subarray(from, to));
      position = start + to;
      if (to === piece.byteLength) index++;
    }
  }

  /** Every piece, as stored; for hashing. */
  pieces(): readonly Buffer[] {
    return this.#pieces;
  }

  /** Index of the piece holding `offset` (binary search over the starts). */
  #pieceAt(offset: number): number {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#starts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
