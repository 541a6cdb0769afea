import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { damaged } from './failures.ts';
import type { ModelParams } from './match-model.ts';
import { ByteSink, ByteSource } from './varint.ts';

/** First bytes of a deflate correction stream: "RDF" and the format version. */
export const CORRECTIONS_MAGIC = Uint8Array.from([0x52, 0x44, 0x46]);
export const CORRECTIONS_VERSION = 1;

/** One independently rebuildable stretch of the stream (see FORMAT.md). */
export interface SegmentEntry {
  plainStart: number;
  plainLength: number;
  bitStart: number;
  bitLength: number;
  /** Value of the `bitStart % 8` bits that precede the segment in its first byte. */
  prefixBits: number;
  payloadOffset: number;
  payloadLength: number;
}

export interface CorrectionHeader {
  params: ModelParams;
  plainLength: number;
  bitLength: number;
  /** Value of the bits after the final block up to the byte boundary. */
  finalPadding: number;
  segments: SegmentEntry[];
}

export interface ParsedCorrections extends CorrectionHeader {
  bytes: Uint8Array;
}

export function writeCorrections(
  header: CorrectionHeader,
  payloads: Uint8Array[],
): Uint8Array {
  const compressed = payloads.map((payload) => compressPayload(payload));
  const out = new ByteSink();
  out.bytes(CORRECTIONS_MAGIC);
  out.byte(CORRECTIONS_VERSION);
  const { params } = header;
  out.uint((params.lazy ? 1 : 0) | (params.tooFar ? 2 : 0));
  out.uint(params.good);
  out.uint(params.maxLazy);
  out.uint(params.nice);
  out.uint(params.chain);
  out.uint(params.hashBits);
  out.uint(params.windowBits);
  out.uint(header.plainLength);
  out.uint(header.bitLength);
  out.uint(header.finalPadding);
  out.uint(header.segments.length);
  header.segments.forEach((segment, index) => {
    out.uint(segment.plainLength);
    out.uint(segment.bitLength);
    out.uint(segment.prefixBits);
    out.uint(compressed[index]!.length);
  });
  for (const payload of compressed) out.bytes(payload);
  return out.view().slice();
}

export function readCorrections(bytes: Uint8Array): ParsedCorrections {
  const source = new ByteSource(bytes);
  const magic = source.bytes(3);
  if (magic[0] !== CORRECTIONS_MAGIC[0] || magic[1] !== CORRECTIONS_MAGIC[1] || magic[2] !== CORRECTIONS_MAGIC[2]) {
    throw damaged('not a deflate correction stream');
  }
  const version = source.byte();
  if (version !== CORRECTIONS_VERSION) throw damaged('unsupported correction stream version', { version });
  const flags = source.uint();
  const params: ModelParams = {
    lazy: (flags & 1) !== 0,
    tooFar: (flags & 2) !== 0,
    good: source.uint(),
    maxLazy: source.uint(),
    nice: source.uint(),
    chain: source.uint(),
    hashBits: source.uint(),
    windowBits: source.uint(),
  };
  if (params.hashBits < 8 || params.hashBits > 16 || params.windowBits < 8 || params.windowBits > 15) {
    throw damaged('correction stream has impossible model parameters');
  }
  if (params.chain < 0 || params.chain > 1 << 16 || params.nice > 258 || params.good > 258) {
    throw damaged('correction stream has impossible model parameters');
  }
  const plainLength = source.uint();
  const bitLength = source.uint();
  const finalPadding = source.uint();
  const count = source.uint();
  if (count > bytes.length) throw damaged('correction stream segment table is damaged');
  const segments: SegmentEntry[] = [];
  let plainStart = 0;
  let bitStart = 0;
  for (let i = 0; i < count; i++) {
    const plainLengthOfSegment = source.uint();
    const bitLengthOfSegment = source.uint();
    const prefixBits = source.uint();
    const payloadLength = source.uint();
    segments.push({
      plainStart,
      plainLength: plainLengthOfSegment,
      bitStart,
      bitLength: bitLengthOfSegment,
      prefixBits,
      payloadOffset: 0,
      payloadLength,
    });
    plainStart += plainLengthOfSegment;
    bitStart += bitLengthOfSegment;
  }
  if (plainStart !== plainLength || bitStart !== bitLength) throw damaged('correction stream segment table is damaged');
  let offset = source.pos;
  for (const segment of segments) {
    segment.payloadOffset = offset;
    offset += segment.payloadLength;
  }
  if (offset !== bytes.length) throw damaged('correction stream length does not match its segment table');
  return { params, plainLength, bitLength, finalPadding, segments, bytes };
}

function compressPayload(payload: Uint8Array): Uint8Array {
  return brotliCompressSync(payload, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 9,
      [constants.BROTLI_PARAM_SIZE_HINT]: payload.length,
    },
  });
}

/** A segment's payload: the block records and the token corrections. */
export function segmentPayload(corrections: ParsedCorrections, segment: SegmentEntry): { blocks: ByteSource; events: ByteSource } {
  let payload: Uint8Array;
  try {
    payload = brotliDecompressSync(
      corrections.bytes.subarray(segment.payloadOffset, segment.payloadOffset + segment.payloadLength),
    );
  } catch (error) {
    throw damaged('correction segment does not decompress', { cause: String(error) });
  }
  const head = new ByteSource(payload);
  const blockLength = head.uint();
  if (head.pos + blockLength > payload.length) throw damaged('correction segment is damaged');
  return {
    blocks: new ByteSource(payload, head.pos, head.pos + blockLength),
    events: new ByteSource(payload, head.pos + blockLength, payload.length),
  };
}

export function joinPayload(blocks: ByteSink, events: ByteSink): Uint8Array {
  const out = new ByteSink();
  out.uint(blocks.length);
  out.bytes(blocks.view());
  out.bytes(events.view());
  return out.view().slice();
}
