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
 * The raw bytes of a stored chunk, checked against its digest and length:
 * damage is DataLoss, never bytes handed on.
 */
export function decodeChunk(payload: Uint8Array, codec: number, rawLength: number, digest: Uint8Array): Buffer {
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
    throw new StrataError('DataLoss', `chunk ${Buffer.from(digest).toString('hex')} does not decode`, {
      cause: error,
      details: { chunk: Buffer.from(digest).toString('hex') },
    });
  }
  if (raw.byteLength !== rawLength || !sha256Raw(raw).equals(digest)) {
    throw new StrataError('DataLoss', `chunk ${Buffer.from(digest).toString('hex')} is damaged`, {
      details: { chunk: Buffer.from(digest).toString('hex') },
    });
  }
  return raw;
}
