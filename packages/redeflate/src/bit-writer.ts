/**
 * LSB-first bit writer into a growing buffer. `take` hands out the whole
 * bytes written so far, which lets a reconstruction stream its output while
 * the last partial byte stays behind.
 */
export class BitWriter {
  buffer: Uint8Array;
  length = 0;
  bitBuffer = 0;
  bitCount = 0;

  constructor(capacity = 1 << 16) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Bits written so far, including those still held in the partial byte. */
  get bitLength(): number {
    return this.length * 8 + this.bitCount;
  }

  /** Writes up to 16 bits. */
  bits(value: number, count: number): void {
    this.bitBuffer |= value << this.bitCount;
    this.bitCount += count;
    if (this.bitCount >= 8) {
      if (this.length + 4 > this.buffer.length) this.grow(4);
      const buffer = this.buffer;
      do {
        buffer[this.length++] = this.bitBuffer;
        this.bitBuffer >>>= 8;
        this.bitCount -= 8;
      } while (this.bitCount >= 8);
    }
  }

  /** Pads the partial byte with zero bits up to the next byte boundary. */
  alignWith(value: number): void {
    if (this.bitCount > 0) this.bits(value, 8 - this.bitCount);
  }

  bytes(data: Uint8Array): void {
    if (this.bitCount !== 0) throw new RangeError('bytes written off a byte boundary');
    if (this.length + data.length > this.buffer.length) this.grow(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** Copies `count` bits starting at bit `bitOffset` of `source`. */
  copyBits(source: Uint8Array, bitOffset: number, count: number): void {
    let offset = bitOffset;
    let left = count;
    while (left > 0) {
      const byte = offset >>> 3;
      const shift = offset & 7;
      const word = (source[byte] ?? 0) | ((source[byte + 1] ?? 0) << 8) | ((source[byte + 2] ?? 0) << 16);
      const take = left < 16 ? left : 16;
      this.bits((word >>> shift) & ((1 << take) - 1), take);
      offset += take;
      left -= take;
    }
  }

  /** Makes room for `extra` more bytes, so that callers may write `buffer` directly. */
  reserve(extra: number): void {
    if (this.length + extra > this.buffer.length) this.grow(extra);
  }

  /** Removes and returns the complete bytes written so far. */
  take(): Uint8Array {
    const out = this.buffer.slice(0, this.length);
    this.length = 0;
    return out;
  }

  private grow(extra: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}
