import { Compressor, Decompressor } from 'zstd-napi';
import { StrataError } from '@strata/errors';
import { sha256Raw } from '@strata/digest';
import { Codec } from './pack-format.ts';

/** zstd level used when a store does not say otherwise. */
export const DEFAULT_ZSTD_LEVEL = 3;

let compressor: Compressor | undefined;
let compressorLevel = -1;
let decompressor: Decompressor | undefined;

/**
 * One chunk's stored form: a zstd frame, or the raw bytes when zstd does not
 * make them smaller.
 */
export function encodeChunk(raw: Uint8Array, level: number): { codec: Codec; payload: Uint8Array } {
  if (!compressor || compressorLevel !== level) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: level, contentSizeFlag: true, checksumFlag: false });
    compressorLevel = level;
  }
  const frame = compressor.compress(raw);
  return frame.byteLength < raw.byteLength ? { codec: Codec.Zstd, payload: frame } : { codec: Codec.None, payload: raw };
}

/**
 * A stored payload's raw bytes, decoded as `codec` says and checked to be
 * `rawLength` long; DataLoss (naming `what`) when it does not decode.
 */
export function decodePayload(payload: Uint8Array, codec: number, rawLength: number, what: string): Buffer {
  let raw: Buffer;
  try {
    if (codec === Codec.Zstd) {
      decompressor ??= new Decompressor();
      raw = decompressor.decompress(payload);
    } else if (codec === Codec.None) {
      raw = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    } else {
      throw new Error(`unknown codec ${codec}`);
    }
  } catch (error) {
    throw new StrataError('DataLoss', `${what} does not decode`, { cause: error });
  }
  if (raw.byteLength !== rawLength) throw new StrataError('DataLoss', `${what} has the wrong length`);
  return raw;
}

/**
 * The raw bytes of a stored chunk, checked against its digest and length:
 * damage is DataLoss, never bytes handed on.
 */
export function decodeChunk(payload: Uint8Array, codec: number, rawLength: number, digest: Uint8Array): Buffer {
  const hex = Buffer.from(digest).toString('hex');
  let raw: Buffer;
  try {
    raw = decodePayload(payload, codec, rawLength, `chunk ${hex}`);
  } catch (error) {
    throw new StrataError('DataLoss', `chunk ${hex} is damaged`, { cause: error, details: { chunk: hex } });
  }
  if (!sha256Raw(raw).equals(digest)) {
    throw new StrataError('DataLoss', `chunk ${hex} is damaged`, { details: { chunk: hex } });
  }
  return raw;
}

const HEX_DIGEST = /^[a-f0-9]{64}$/;

/** Parses a chunk digest (lowercase sha256 hex); InvalidArgument otherwise. */
export function chunkDigest(hex: string): Buffer {
  if (typeof hex !== 'string' || !HEX_DIGEST.test(hex)) {
    throw new StrataError('InvalidArgument', `invalid chunk digest ${JSON.stringify(hex)}`);
  }
  return Buffer.from(hex, 'hex');
}

/**
 * The raw bytes of a chunk that arrived as its stored zstd frame (ReadChunks
 * with accept_zstd): decompressed and checked against its digest (raw
 * SHA-256 hex) and length; DataLoss otherwise.
 */
export function decodeZstdChunk(frame: Uint8Array, rawLength: number, digest: string): Buffer {
  return decodeChunk(frame, Codec.Zstd, rawLength, chunkDigest(digest));
}
