/**
 * Reads of an expanded layer: its plaintext chunks (each checked against
 * its digest on the way) are streamed into the codec's encoder and the
 * compressed bytes come out, one plaintext span ahead of the consumer, so
 * memory stays at about one redeflate segment plus a span of chunks. A
 * ranged read starts at the last restart point at or before its offset
 * (reading the 32 KiB window before it too) and skips to the offset, so it
 * costs about one segment more than its length, not the whole layer.
 */
import { Digester, parseDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import type { RebuildPool } from '@strata/redeflate';
import { layerRebuild, needsLibraryCheck, restartFor, type LayerEncoding } from './layer-codecs.ts';
import type { ExpandedLayer } from './recipe.ts';

/** Where an expanded layer's chunks come from (the read path supplies it). */
export interface PlaintextSource {
  /** Plaintext bytes [offset, offset + length), every chunk verified. */
  plaintext(offset: number, length: number): AsyncIterable<Buffer>;
  /** One chunk's verified bytes. */
  chunk(digest: Buffer): Promise<Buffer>;
  /** Threads that rebuild gzip segments in parallel (undefined: the calling thread). */
  pool?: RebuildPool;
}

/** The corrections stream, joined from its chunks. */
export async function loadCorrections(layer: ExpandedLayer, source: PlaintextSource): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (const { digest } of layer.corrections) pieces.push(await source.chunk(digest));
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
}

/** Bytes [offset, offset + length) of the expanded blob `digest` of `size` bytes. */
export async function* expandedBytes(
  digest: string,
  size: number,
  layer: ExpandedLayer,
  offset: number,
  length: number,
  source: PlaintextSource,
): AsyncGenerator<Buffer> {
  if (length === 0) return;
  const encoding: LayerEncoding = {
    codec: layer.codec,
    params: layer.params,
    corrections: await loadCorrections(layer, source),
    plainSize: layer.plainSize,
  };
  if (needsLibraryCheck(encoding)) {
    yield* checkedWhole(digest, size, encoding, offset, length, source);
    return;
  }
  const end = offset + length;
  const rebuild = layerRebuild(encoding, restartFor(layer.restarts, offset), source.pool);
  let position = rebuild.outputStart;
  const plaintext = source.plaintext(rebuild.plaintextStart, layer.plainSize - rebuild.plaintextStart);
  for await (const out of rebuild.encode(plaintext)) {
    const from = Math.max(offset - position, 0);
    const to = Math.min(end - position, out.length);
    if (to > from) yield asBuffer(out.subarray(from, to));
    position += out.length;
    // Stopping here ends the encoder and the plaintext read behind it.
    if (position >= end) break;
  }
  if (position < end || (end === size && position !== size)) {
    throw new StrataError('DataLoss', `expanded layer ${digest} rebuilds to ${position} bytes, not ${size}`, { details: { blobs: [digest] } });
  }
}

/**
 * The whole layer rebuilt and checked against its digest before a byte is
 * passed on: for a zstd layer expanded under another libzstd version, whose
 * output may differ.
 */
async function* checkedWhole(
  digest: string,
  size: number,
  encoding: LayerEncoding,
  offset: number,
  length: number,
  source: PlaintextSource,
): AsyncGenerator<Buffer> {
  const digester = new Digester(parseDigest(digest).algorithm);
  const pieces: Uint8Array[] = [];
  for await (const out of layerRebuild(encoding, undefined).encode(source.plaintext(0, encoding.plainSize))) {
    digester.update(out);
    pieces.push(out);
  }
  if (digester.size !== size || digester.digest() !== digest) {
    throw new StrataError('DataLoss', `expanded layer ${digest} no longer rebuilds exactly with this zstd library`, {
      details: { blobs: [digest] },
    });
  }
  yield Buffer.concat(pieces).subarray(offset, offset + length);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
