import { createGunzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import { DecompressStream } from 'zstd-napi';

/** How a layer's stored bytes are compressed, as told by their first bytes. */
export type LayerCodec = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/**
 * The codec of a blob from its first bytes (at least 4 of them when the
 * blob has that many). Media types are not trusted: docker-archive layers
 * are plain tars whatever their manifest says, and some registries label
 * zstd layers as gzip.
 */
export function detectCodec(head: Uint8Array): LayerCodec {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** A streaming decoder for `codec`; undefined for uncompressed data. Multi-member gzip and multi-frame zstd decode whole. */
export function createDecoder(codec: LayerCodec): Transform | undefined {
  switch (codec) {
    case 'gzip':
      return createGunzip({ chunkSize: 256 * 1024 });
    case 'zstd':
      return new DecompressStream();
    case 'none':
      return undefined;
  }
}
