import { damaged } from './failures.ts';

/** Growing byte buffer for LEB128 varints and raw bytes. */
export class ByteSink {
  buffer = new Uint8Array(256);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  uint(value: number): void {
    this.reserve(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  /** Signed values, zigzag mapped so small magnitudes stay short. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/** Reads what a ByteSink wrote; any overrun is damage. */
export class ByteSource {
  readonly data: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(data: Uint8Array, start = 0, end = data.length) {
    this.data = data;
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  uint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw damaged('corrections end early');
      const byte = this.data[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw damaged('corrections hold an over-long number');
  }

  int(): number {
    const value = this.uint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  byte(): number {
    if (this.pos >= this.end) throw damaged('corrections end early');
    return this.data[this.pos++]!;
  }

  bytes(length: number): Uint8Array {
    if (this.pos + length > this.end) throw damaged('corrections end early');
    const out = this.data.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}
