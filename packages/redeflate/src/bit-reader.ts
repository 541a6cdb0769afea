import { malformed } from './failures.ts';

/**
 * LSB-first bit reader over one buffer (RFC 1951 bit order). Reads past the
 * end yield zero bits; `checkBounds` turns that into a truncation error, so
 * hot loops test it once per symbol instead of once per byte.
 */
export class BitReader {
  readonly data: Uint8Array;
  pos: number;
  bitBuffer = 0;
  bitCount = 0;

  constructor(data: Uint8Array, bitOffset = 0) {
    this.data = data;
    this.pos = bitOffset >>> 3;
    const skip = bitOffset & 7;
    if (skip !== 0) {
      this.fill(skip);
      this.drop(skip);
    }
  }

  /** Bits consumed so far, counted from the start of `data`. */
  get bitOffset(): number {
    return this.pos * 8 - this.bitCount;
  }

  fill(bits: number): void {
    while (this.bitCount < bits) {
      const byte = this.pos < this.data.length ? this.data[this.pos]! : 0;
      this.bitBuffer |= byte << this.bitCount;
      this.pos++;
      this.bitCount += 8;
    }
  }

  drop(bits: number): void {
    this.bitBuffer >>>= bits;
    this.bitCount -= bits;
  }

  /** Reads up to 24 bits. */
  bits(count: number): number {
    if (count === 0) return 0;
    this.fill(count);
    const value = this.bitBuffer & ((1 << count) - 1);
    this.bitBuffer >>>= count;
    this.bitCount -= count;
    return value;
  }

  checkBounds(): void {
    if (this.bitOffset > this.data.length * 8) throw malformed('deflate stream is truncated', { truncated: true });
  }
}
