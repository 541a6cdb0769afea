/**
 * The compressions a layer can be expanded from, and how each is put back:
 * gzip through @strata/redeflate (any producer, rebuilt bit for bit from the
 * plaintext plus a correction stream), zstd by re-encoding with the
 * libzstd build strata links (zstd-napi) at the level and frame flags that
 * were found to reproduce the layer when it was expanded.
 */
import { expandGzip, expandVerified, GzipRebuilder, isGzip, RebuildPool } from '@strata/redeflate';
import { StrataError } from '@strata/errors';
import { Decompressor } from 'zstd-napi';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { LayerCodec, type ExpandedRestart, type LayerCodecId } from './recipe.ts';
import type { ExpandedBlobRecipe } from './content-store.ts';

// zstd-napi's low-level binding (streaming with a pledged size) is CommonJS whose exports ESM cannot name.
const zstd = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** The codec whose magic bytes `head` starts with, if any. */
export function layerCodecOf(head: Uint8Array): LayerCodecId | undefined {
  if (isGzip(head)) return LayerCodec.Gzip;
  if (head.length >= 4 && ZSTD_MAGIC.every((byte, i) => head[i] === byte)) return LayerCodec.Zstd;
  return undefined;
}

/** Everything an expanded recipe needs besides where its chunks are. */
export interface LayerExpansion {
  codec: LayerCodecId;
  plaintext: Uint8Array;
  /** redeflate's correction stream (gzip); empty for zstd. */
  corrections: Uint8Array;
  /** Codec parameters as stored in the recipe: JSON text for zstd, empty for gzip. */
  params: Uint8Array;
  restarts: ExpandedRestart[];
}

export type ExpandAttempt = { expansion: LayerExpansion } | { reason: string };

/**
 * How a zstd layer is re-encoded. `oneshot` is ZSTD_compress2 over the
 * whole plaintext (what a single-call compressor writes); `stream` is
 * ZSTD_compressStream2 fed piece by piece, with the plaintext size pledged
 * when the frame header carries it (what a streaming compressor writes).
 */
export interface ZstdParams {
  level: number;
  mode: 'oneshot' | 'stream';
  checksum: boolean;
  contentSize: boolean;
  /** ZSTD_versionString() of the library that reproduced the layer: output is stable only within one version. */
  library: string;
}

export interface ExpandLayerOptions {
  /** Time budget for trying zstd levels in one-shot mode (each try compresses the whole layer). */
  zstdSearchMs?: number;
  /** Layers whose plaintext is larger stay as they are (it is held in memory); DEFAULT_EXPAND_MAX_PLAIN_BYTES by default. */
  maxPlainBytes?: number;
  /**
   * Rebuild a gzip layer once in memory and keep the expansion only if it
   * matches (default). The engine turns this off: it rebuilds every layer
   * from the stored chunks and checks the digest before using it anyway.
   */
  verify?: boolean;
}

/**
 * Expansion holds a layer's plaintext in memory, so a layer that inflates
 * past this (a tar of large files, or a compression bomb pushed on purpose)
 * is left compressed rather than allowed to exhaust the server's memory.
 */
export const DEFAULT_EXPAND_MAX_PLAIN_BYTES = 2 * 1024 * 1024 * 1024;

export const DEFAULT_ZSTD_SEARCH_MS = 20_000;

// Most layers are made at the tools' defaults (3) or at the top of the normal range (19).
const ZSTD_LEVELS = [3, 19, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22];

/** Plaintext is fed to the zstd encoder in pieces of this size. */
const ZSTD_FEED_BYTES = 1024 * 1024;

export function zstdLibraryVersion(): string {
  return zstd.versionString();
}

/**
 * Expands a compressed layer held in memory, keeping the result only if it
 * rebuilds the exact input. CPU-bound: the engine runs it on a worker thread.
 */
export function expandLayer(bytes: Uint8Array, options: ExpandLayerOptions = {}): ExpandAttempt {
  const codec = layerCodecOf(bytes);
  if (codec === undefined) return { reason: 'not gzip or zstd' };
  const maxPlainBytes = options.maxPlainBytes ?? DEFAULT_EXPAND_MAX_PLAIN_BYTES;
  if (plaintextExceeds(codec, bytes, maxPlainBytes)) return { reason: `plaintext larger than ${maxPlainBytes} bytes` };
  if (codec === LayerCodec.Gzip) return expandGzipLayer(bytes, options.verify ?? true);
  return expandZstdLayer(bytes, options.zstdSearchMs ?? DEFAULT_ZSTD_SEARCH_MS);
}

/**
 * Whether the layer decompresses to more than `limit` bytes, found without
 * holding more than `limit` (gzip: native inflate with an output cap) or
 * anything at all (zstd: streamed through one small buffer). A stream that
 * does not decompress is left for the codec's own parser to refuse.
 */
function plaintextExceeds(codec: LayerCodecId, bytes: Uint8Array, limit: number): boolean {
  if (codec === LayerCodec.Gzip) {
    try {
      gunzipSync(bytes, { maxOutputLength: Math.max(1, limit) });
      return false;
    } catch (error) {
      return error instanceof RangeError;
    }
  }
  const dctx = new zstd.DCtx();
  const out = Buffer.allocUnsafe(zstd.dStreamOutSize());
  let produced = 0;
  let rest = bytes;
  try {
    while (rest.length > 0) {
      const [, written, consumed] = dctx.decompressStream(out, rest);
      produced += written;
      if (produced > limit) return true;
      if (consumed === 0 && written === 0) return false;
      rest = rest.subarray(consumed);
    }
    // Input used up: drain what the decoder still holds.
    for (;;) {
      const [, written] = dctx.decompressStream(out, new Uint8Array());
      produced += written;
      if (produced > limit) return true;
      if (written < out.length) return false;
    }
  } catch {
    return false;
  }
}

function expandGzipLayer(bytes: Uint8Array, verify: boolean): ExpandAttempt {
  let expansion;
  try {
    expansion = verify ? expandVerified(bytes) : expandGzip(bytes);
  } catch (error) {
    return { reason: `gzip does not parse: ${(error as Error).message}` };
  }
  if (!expansion) return { reason: 'gzip stream is not rebuilt exactly' };
  return {
    expansion: {
      codec: LayerCodec.Gzip,
      plaintext: expansion.plaintext,
      corrections: expansion.corrections,
      params: new Uint8Array(),
      restarts: expansion.restartPoints.map(({ member, segment, plaintextOffset, compressedOffset, windowStart }) => ({
        member,
        segment,
        plaintextOffset,
        compressedOffset,
        windowStart,
      })),
    },
  };
}

function expandZstdLayer(bytes: Uint8Array, searchMs: number): ExpandAttempt {
  if (bytes.length < 6) return { reason: 'zstd frame is truncated' };
  const descriptor = bytes[4]!;
  if ((descriptor & 3) !== 0) return { reason: 'zstd frame uses a dictionary' };
  const contentSize = descriptor >> 6 !== 0 || ((descriptor >> 5) & 1) === 1;
  const checksum = ((descriptor >> 2) & 1) === 1;
  let plaintext: Uint8Array;
  try {
    plaintext = new Decompressor().decompress(bytes);
  } catch (error) {
    return { reason: `zstd does not decompress: ${(error as Error).message}` };
  }
  const library = zstdLibraryVersion();
  const found = (params: ZstdParams): ExpandAttempt => ({
    expansion: {
      codec: LayerCodec.Zstd,
      plaintext,
      corrections: new Uint8Array(),
      params: Buffer.from(JSON.stringify(params)),
      restarts: [],
    },
  });
  // Streaming tries stop at the first byte that differs, so every level is cheap to try.
  for (const level of ZSTD_LEVELS) {
    const params: ZstdParams = { level, mode: 'stream', checksum, contentSize, library };
    if (streamMatches(params, plaintext, bytes)) return found(params);
  }
  const deadline = Date.now() + searchMs;
  for (const level of ZSTD_LEVELS) {
    if (Date.now() > deadline) break;
    const params: ZstdParams = { level, mode: 'oneshot', checksum, contentSize, library };
    if (Buffer.from(compressOneShot(params, plaintext)).equals(bytes)) return found(params);
  }
  return { reason: `no zstd level of libzstd ${library} reproduces the layer` };
}

function streamMatches(params: ZstdParams, plaintext: Uint8Array, original: Uint8Array): boolean {
  let at = 0;
  for (const piece of zstdStream(params, plaintext.length, piecesOf(plaintext))) {
    if (at + piece.length > original.length || !Buffer.from(piece).equals(original.subarray(at, at + piece.length))) return false;
    at += piece.length;
  }
  return at === original.length;
}

function* piecesOf(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += ZSTD_FEED_BYTES) yield bytes.subarray(at, at + ZSTD_FEED_BYTES);
}

function context(params: ZstdParams): InstanceType<typeof zstd.CCtx> {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, params.level);
  cctx.setParameter(zstd.CParameter.checksumFlag, params.checksum ? 1 : 0);
  cctx.setParameter(zstd.CParameter.contentSizeFlag, params.contentSize ? 1 : 0);
  return cctx;
}

function compressOneShot(params: ZstdParams, plaintext: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(zstd.compressBound(plaintext.length));
  return out.subarray(0, context(params).compress2(out, plaintext));
}

/** ZSTD_compressStream2 over the pieces; each yielded buffer is fresh. */
function* zstdStream(params: ZstdParams, plainSize: number, pieces: Iterable<Uint8Array>): Generator<Uint8Array> {
  const cctx = context(params);
  if (params.contentSize) cctx.setPledgedSrcSize(plainSize);
  const out = Buffer.allocUnsafe(zstd.cStreamOutSize());
  for (const piece of pieces) yield* drive(cctx, out, piece, zstd.EndDirective.continue);
  yield* drive(cctx, out, new Uint8Array(), zstd.EndDirective.end);
}

function* drive(cctx: InstanceType<typeof zstd.CCtx>, out: Buffer, input: Uint8Array, end: number): Generator<Uint8Array> {
  let rest = input;
  for (;;) {
    const [remaining, produced, consumed] = cctx.compressStream2(out, rest, end);
    if (produced > 0) yield Buffer.from(out.subarray(0, produced));
    rest = rest.subarray(consumed);
    if (end === zstd.EndDirective.end ? remaining === 0 : rest.length === 0) return;
  }
}

export function parseZstdParams(params: Uint8Array): ZstdParams {
  try {
    const parsed = JSON.parse(Buffer.from(params).toString('utf8')) as ZstdParams;
    if (!Number.isInteger(parsed.level) || (parsed.mode !== 'oneshot' && parsed.mode !== 'stream')) throw new Error('bad fields');
    return parsed;
  } catch {
    throw new StrataError('DataLoss', 'zstd parameters of an expanded layer do not parse');
  }
}

/** What re-encoding one expanded layer needs. */
export interface LayerEncoding {
  codec: LayerCodecId;
  params: Uint8Array;
  corrections: Uint8Array;
  plainSize: number;
}

/**
 * Where a rebuild of the bytes from `offset` on starts: the last restart
 * point at or before it (gzip), or the start.
 */
export function restartFor(restarts: readonly ExpandedRestart[], offset: number): ExpandedRestart | undefined {
  let low = 0;
  let high = restarts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (restarts[middle]!.compressedOffset <= offset) low = middle + 1;
    else high = middle;
  }
  return low === 0 ? undefined : restarts[low - 1];
}

/** A layer's compressed bytes rebuilt from its plaintext. */
export interface LayerRebuild {
  /** Plaintext offset the rebuild wants its input from. */
  plaintextStart: number;
  /** Blob offset of the first byte produced. */
  outputStart: number;
  /** Compressed bytes for the plaintext pieces given (all of them from plaintextStart on). */
  encode(plaintext: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array>;
}

/**
 * How a layer is rebuilt from `from` (the start when undefined). A gzip
 * layer's segments are rebuilt on `pool`'s threads when one is given, on
 * the calling thread otherwise; the bytes are the same.
 */
export function layerRebuild(encoding: LayerEncoding, from: ExpandedRestart | undefined, pool?: RebuildPool): LayerRebuild {
  if (encoding.codec === LayerCodec.Gzip) {
    let rebuilder: GzipRebuilder;
    try {
      rebuilder = from ? new GzipRebuilder(encoding.corrections, { member: from.member, segment: from.segment }) : new GzipRebuilder(encoding.corrections);
    } catch (error) {
      throw new StrataError('DataLoss', 'corrections of an expanded layer are damaged', { cause: error });
    }
    const segments = (plaintext: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> =>
      pool ? pool.rebuildGzipStream(plaintext, encoding.corrections, from && { member: from.member, segment: from.segment }) : onThisThread(rebuilder, plaintext);
    return {
      plaintextStart: rebuilder.plaintextStart,
      outputStart: rebuilder.outputStart,
      async *encode(plaintext) {
        try {
          yield* segments(plaintext);
        } catch (error) {
          if (error instanceof StrataError && error.code !== 'InvalidArgument') throw error;
          throw new StrataError('DataLoss', 'an expanded layer does not rebuild from its chunks', { cause: error });
        }
      },
    };
  }
  const params = parseZstdParams(encoding.params);
  return {
    plaintextStart: 0,
    outputStart: 0,
    async *encode(plaintext) {
      if (params.mode === 'oneshot') {
        const pieces: Uint8Array[] = [];
        for await (const piece of plaintext) pieces.push(piece);
        yield compressOneShot(params, Buffer.concat(pieces));
        return;
      }
      const cctx = context(params);
      if (params.contentSize) cctx.setPledgedSrcSize(encoding.plainSize);
      const out = Buffer.allocUnsafe(zstd.cStreamOutSize());
      for await (const piece of plaintext) yield* drive(cctx, out, piece, zstd.EndDirective.continue);
      yield* drive(cctx, out, new Uint8Array(), zstd.EndDirective.end);
    },
  };
}

/**
 * The compressed bytes of an expanded layer a chunk-aware client pulled:
 * `plaintext` (its plain chunks' bytes, in order) re-encoded with the
 * layer's codec and parameters and `corrections` (its correction chunks'
 * bytes, joined). A gzip layer's segments are rebuilt on `threads` worker
 * threads (default one per core; 0: on the calling thread). The caller
 * checks the result against the blob's digest.
 */
export async function* rebuildExpandedBlob(
  expanded: ExpandedBlobRecipe,
  corrections: Uint8Array,
  plaintext: AsyncIterable<Uint8Array>,
  options: { threads?: number } = {},
): AsyncGenerator<Uint8Array> {
  if (expanded.codec !== 'gzip' && expanded.codec !== 'zstd') throw new StrataError('InvalidArgument', `unknown layer codec ${JSON.stringify(expanded.codec)}`);
  const codec = expanded.codec === 'gzip' ? LayerCodec.Gzip : LayerCodec.Zstd;
  const pool = codec === LayerCodec.Gzip && options.threads !== 0 ? new RebuildPool(options.threads === undefined ? {} : { threads: options.threads }) : undefined;
  try {
    yield* layerRebuild({ codec, params: expanded.params, corrections, plainSize: expanded.plainSize }, undefined, pool).encode(plaintext);
  } finally {
    await pool?.close();
  }
}

async function* onThisThread(rebuilder: GzipRebuilder, plaintext: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const piece of plaintext) {
    const out = rebuilder.push(piece);
    if (out.length > 0) yield out;
  }
  const tail = rebuilder.finish();
  if (tail.length > 0) yield tail;
}

/** Whether re-encoding depends on a library whose output may have changed since the layer was expanded. */
export function needsLibraryCheck(encoding: LayerEncoding): boolean {
  return encoding.codec === LayerCodec.Zstd && parseZstdParams(encoding.params).library !== zstdLibraryVersion();
}
