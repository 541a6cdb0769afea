import type { BitReader } from './bit-reader.ts';
import type { BitWriter } from './bit-writer.ts';
import { CODE_LENGTH_ORDER } from './deflate-tables.ts';
import { malformed } from './failures.ts';

const MAX_BITS = 15;

/**
 * Canonical codes for `lengths`, bit-reversed so they can be written LSB
 * first as RFC 1951 sends Huffman codes.
 */
export function reversedCodes(lengths: Uint8Array, count: number, out: Uint16Array): void {
  const lengthCount = new Uint16Array(MAX_BITS + 1);
  for (let symbol = 0; symbol < count; symbol++) lengthCount[lengths[symbol]!]!++;
  lengthCount[0] = 0;
  const next = new Uint16Array(MAX_BITS + 1);
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + lengthCount[bits - 1]!) << 1;
    next[bits] = code;
  }
  for (let symbol = 0; symbol < count; symbol++) {
    const length = lengths[symbol]!;
    if (length === 0) continue;
    let value = next[length]!++;
    let reversed = 0;
    for (let i = 0; i < length; i++) {
      reversed = (reversed << 1) | (value & 1);
      value >>>= 1;
    }
    out[symbol] = reversed;
  }
}

/** A single-level decoding table: entry = symbol << 4 | code length (0 = no such code). */
export interface DecodeTable {
  table: Uint16Array;
  bits: number;
}

export function buildDecodeTable(lengths: Uint8Array, count: number, what: string): DecodeTable {
  const lengthCount = new Uint16Array(MAX_BITS + 1);
  let maxBits = 0;
  for (let symbol = 0; symbol < count; symbol++) {
    const length = lengths[symbol]!;
    lengthCount[length]!++;
    if (length > maxBits) maxBits = length;
  }
  // Over-subscribed codes are not prefix codes; incomplete ones are allowed
  // (a code never sent cannot be decoded and is caught at decode time).
  let left = 1;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    left = (left << 1) - lengthCount[bits]!;
    if (left < 0) throw malformed(`over-subscribed ${what} code`);
  }
  if (maxBits === 0) maxBits = 1;
  const table = new Uint16Array(1 << maxBits);
  const codes = new Uint16Array(count);
  reversedCodes(lengths, count, codes);
  for (let symbol = 0; symbol < count; symbol++) {
    const length = lengths[symbol]!;
    if (length === 0) continue;
    const entry = (symbol << 4) | length;
    for (let index = codes[symbol]!; index < table.length; index += 1 << length) table[index] = entry;
  }
  return { table, bits: maxBits };
}

export function decodeSymbol(reader: BitReader, decode: DecodeTable, what: string): number {
  reader.fill(decode.bits);
  const entry = decode.table[reader.bitBuffer & ((1 << decode.bits) - 1)]!;
  const length = entry & 15;
  if (length === 0) throw malformed(`invalid ${what} code`);
  reader.drop(length);
  return entry >>> 4;
}

/** Code lengths of one dynamic block, as read from or written to its header. */
export interface BlockCodes {
  literalLengths: Uint8Array; // 288 entries
  distanceLengths: Uint8Array; // 32 entries
}

export function newBlockCodes(): BlockCodes {
  return { literalLengths: new Uint8Array(288), distanceLengths: new Uint8Array(32) };
}

/** Reads a dynamic block header (after BFINAL/BTYPE) into `codes`. */
export function readDynamicHeader(reader: BitReader, codes: BlockCodes): void {
  const literalCount = reader.bits(5) + 257;
  const distanceCount = reader.bits(5) + 1;
  const codeLengthCount = reader.bits(4) + 4;
  if (literalCount > 286 || distanceCount > 30) throw malformed('too many length or distance codes');
  const codeLengthLengths = new Uint8Array(19);
  for (let i = 0; i < codeLengthCount; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]!] = reader.bits(3);
  const codeLengthTable = buildDecodeTable(codeLengthLengths, 19, 'code length');
  const total = literalCount + distanceCount;
  const lengths = new Uint8Array(total);
  let index = 0;
  while (index < total) {
    const symbol = decodeSymbol(reader, codeLengthTable, 'code length');
    reader.checkBounds();
    if (symbol < 16) {
      lengths[index++] = symbol;
      continue;
    }
    let repeat: number;
    let value = 0;
    if (symbol === 16) {
      if (index === 0) throw malformed('code length repeat with no previous length');
      value = lengths[index - 1]!;
      repeat = 3 + reader.bits(2);
    } else if (symbol === 17) {
      repeat = 3 + reader.bits(3);
    } else {
      repeat = 11 + reader.bits(7);
    }
    if (index + repeat > total) throw malformed('code lengths overflow the header');
    lengths.fill(value, index, index + repeat);
    index += repeat;
  }
  codes.literalLengths.fill(0);
  codes.distanceLengths.fill(0);
  codes.literalLengths.set(lengths.subarray(0, literalCount));
  codes.distanceLengths.set(lengths.subarray(literalCount));
  if (codes.literalLengths[256] === 0) throw malformed('block has no end-of-block code');
}

/**
 * Code lengths the way zlib's trees.c (and GNU gzip's, its ancestor) builds
 * them from symbol frequencies: a heap ordered by frequency then depth,
 * lengths capped at `maxLength` by moving overflowing leaves up, and at least
 * two codes even when fewer symbols occur. Returns the highest coded symbol.
 */
export function zlibCodeLengths(freq: Uint32Array, elems: number, maxLength: number, lengths: Uint8Array): number {
  const heapSize = 2 * elems + 1;
  const heap = new Int32Array(heapSize + 1);
  const nodeFreq = new Float64Array(2 * elems + 1);
  const depth = new Uint8Array(2 * elems + 1);
  const dad = new Int32Array(2 * elems + 1);
  const nodeLength = new Uint16Array(2 * elems + 1);
  let heapLength = 0;
  let heapMax = heapSize;
  let maxCode = -1;
  for (let n = 0; n < elems; n++) {
    nodeFreq[n] = freq[n]!;
    if (freq[n] !== 0) {
      heap[++heapLength] = maxCode = n;
      depth[n] = 0;
    }
  }
  while (heapLength < 2) {
    const node = (heap[++heapLength] = maxCode < 2 ? ++maxCode : 0);
    nodeFreq[node] = 1;
    depth[node] = 0;
  }
  const smaller = (n: number, m: number): boolean =>
    nodeFreq[n]! < nodeFreq[m]! || (nodeFreq[n] === nodeFreq[m] && depth[n]! <= depth[m]!);
  const downHeap = (start: number): void => {
    let k = start;
    const v = heap[k]!;
    let j = k << 1;
    while (j <= heapLength) {
      if (j < heapLength && smaller(heap[j + 1]!, heap[j]!)) j++;
      if (smaller(v, heap[j]!)) break;
      heap[k] = heap[j]!;
      k = j;
      j <<= 1;
    }
    heap[k] = v;
  };
  for (let n = heapLength >> 1; n >= 1; n--) downHeap(n);
  let node = elems;
  do {
    const n = heap[1]!;
    heap[1] = heap[heapLength--]!;
    downHeap(1);
    const m = heap[1]!;
    heap[--heapMax] = n;
    heap[--heapMax] = m;
    nodeFreq[node] = nodeFreq[n]! + nodeFreq[m]!;
    depth[node] = (depth[n]! >= depth[m]! ? depth[n]! : depth[m]!) + 1;
    dad[n] = dad[m] = node;
    heap[1] = node++;
    downHeap(1);
  } while (heapLength >= 2);
  heap[--heapMax] = heap[1]!;

  const lengthCount = new Uint16Array(MAX_BITS + 1);
  nodeLength[heap[heapMax]!] = 0;
  let overflow = 0;
  let h: number;
  for (h = heapMax + 1; h < heapSize; h++) {
    const n = heap[h]!;
    let bits = nodeLength[dad[n]!]! + 1;
    if (bits > maxLength) {
      bits = maxLength;
      overflow++;
    }
    nodeLength[n] = bits;
    if (n > maxCode) continue;
    lengthCount[bits]!++;
  }
  if (overflow !== 0) {
    do {
      let bits = maxLength - 1;
      while (lengthCount[bits] === 0) bits--;
      lengthCount[bits]!--;
      lengthCount[bits + 1]! += 2;
      lengthCount[maxLength]!--;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let count = lengthCount[bits]!;
      while (count !== 0) {
        const m = heap[--h]!;
        if (m > maxCode) continue;
        nodeLength[m] = bits;
        count--;
      }
    }
  }
  lengths.fill(0, 0, elems);
  for (let n = 0; n <= maxCode; n++) lengths[n] = nodeLength[n]!;
  // Symbols with no frequency keep length 0 (zlib clears them before building).
  for (let n = 0; n <= maxCode; n++) if (nodeFreq[n] === 0) lengths[n] = 0;
  return maxCode;
}

const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;

/**
 * Walks a code length sequence with zlib's run-length rules (scan_tree and
 * send_tree share it), calling `emit` once per code length symbol.
 */
function runLengths(
  lengths: Uint8Array,
  maxCode: number,
  emit: (symbol: number, extra: number) => void,
): void {
  let previous = -1;
  let next = lengths[0]!;
  let count = 0;
  let maxCount = 7;
  let minCount = 4;
  if (next === 0) {
    maxCount = 138;
    minCount = 3;
  }
  for (let n = 0; n <= maxCode; n++) {
    const current = next;
    next = n + 1 <= maxCode ? lengths[n + 1]! : 0xffff;
    if (++count < maxCount && current === next) continue;
    if (count < minCount) {
      do emit(current, -1);
      while (--count !== 0);
    } else if (current !== 0) {
      if (current !== previous) {
        emit(current, -1);
        count--;
      }
      emit(REP_3_6, count - 3);
    } else if (count <= 10) {
      emit(REPZ_3_10, count - 3);
    } else {
      emit(REPZ_11_138, count - 11);
    }
    count = 0;
    previous = current;
    if (next === 0) {
      maxCount = 138;
      minCount = 3;
    } else if (current === next) {
      maxCount = 6;
      minCount = 3;
    } else {
      maxCount = 7;
      minCount = 4;
    }
  }
}

const EXTRA_BITS_OF = [2, 3, 7];

/**
 * Builds a block's codes from its token frequencies exactly as zlib does and
 * writes the dynamic header (HLIT, HDIST, HCLEN, code length codes, run-length
 * coded lengths) to `out`. `codes` receives the resulting code lengths.
 */
export function writeZlibDynamicHeader(
  literalFreq: Uint32Array,
  distanceFreq: Uint32Array,
  codes: BlockCodes,
  out: BitWriter,
): void {
  const literalMax = zlibCodeLengths(literalFreq, 286, 15, codes.literalLengths);
  const distanceMax = zlibCodeLengths(distanceFreq, 30, 15, codes.distanceLengths);
  codes.literalLengths.fill(0, 286);
  codes.distanceLengths.fill(0, 30);
  const codeLengthFreq = new Uint32Array(19);
  const count = (symbol: number): void => {
    codeLengthFreq[symbol]!++;
  };
  runLengths(codes.literalLengths, literalMax, count);
  runLengths(codes.distanceLengths, distanceMax, count);
  const codeLengthLengths = new Uint8Array(19);
  zlibCodeLengths(codeLengthFreq, 19, 7, codeLengthLengths);
  let lastIndex = 18;
  while (lastIndex >= 4 && codeLengthLengths[CODE_LENGTH_ORDER[lastIndex]!] === 0) lastIndex--;
  out.bits(literalMax + 1 - 257, 5);
  out.bits(distanceMax + 1 - 1, 5);
  out.bits(lastIndex + 1 - 4, 4);
  for (let i = 0; i <= lastIndex; i++) out.bits(codeLengthLengths[CODE_LENGTH_ORDER[i]!]!, 3);
  const codeLengthCodes = new Uint16Array(19);
  reversedCodes(codeLengthLengths, 19, codeLengthCodes);
  const send = (symbol: number, extra: number): void => {
    out.bits(codeLengthCodes[symbol]!, codeLengthLengths[symbol]!);
    if (extra >= 0) out.bits(extra, EXTRA_BITS_OF[symbol - 16]!);
  };
  runLengths(codes.literalLengths, literalMax, send);
  runLengths(codes.distanceLengths, distanceMax, send);
}
