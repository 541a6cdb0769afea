/**
 * The compressions a layer can be expanded from, and how each is put back:
 * gzip through @strata/redeflate (any producer, rebuilt bit for bit from the
 * plaintext plus a correction stream), zstd by re-encoding with the
 * libzstd build strata links (zstd-napi) at the level and frame flags that
 * were found to reproduce the layer when it was expanded.
 */
import { GzipExpander, GzipRebuilder, isGzip, RebuildPool, reconstructGzip } from '@strata/redeflate';
import { StrataError } from '@strata/errors';
import { createRequire } from 'node:module';
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
  /** redeflate's correction stream (gzip); empty for zstd. */
  corrections: Uint8Array;
  /** Codec parameters as stored in the recipe: JSON text for zstd, empty for gzip. */
  params: Uint8Array;
  restarts: ExpandedRestart[];
  /** Bytes of plaintext the layer expanded to. */
  plainSize: number;
}

/** How a streaming expansion ended: what the recipe needs, or why the layer stays as it is. */
export type ExpandOutcome = { expansion: LayerExpansion } | { reason: string };

/** `expandLayer`'s answer: the outcome, with the whole plaintext when it expanded. */
export type ExpandAttempt = { expansion: LayerExpansion & { plaintext: Uint8Array } } | { reason: string };

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

/** Options of a streaming expansion (plain data: they cross to the expansion worker). */
export interface LayerExpanderOptions {
  /** Time budget for trying zstd levels in one-shot mode (each try compresses the whole layer; only layers within the level-search prefix get them). */
  zstdSearchMs?: number;
  /** Layers whose plaintext is larger stay as they are; DEFAULT_EXPAND_MAX_PLAIN_BYTES by default. */
  maxPlainBytes?: number;
}

export interface ExpandLayerOptions extends LayerExpanderOptions {
  /**
   * Rebuild the layer once in memory from the plaintext and keep the
   * expansion only if it matches (default). The engine's streaming path has
   * no whole plaintext to do this with: it rebuilds every layer from the
   * stored chunks and checks the digest before using it.
   */
  verify?: boolean;
}

/**
 * A layer expanded as its compressed bytes arrive. Plaintext comes out in
 * order, a few MiB per call whatever the compression ratio: `push` and
 * `finish` return the first plaintext their input completed, `more` the
 * next, until it returns none (then push more, or after `finish`, take the
 * `outcome`). The pieces are the caller's to keep. Once `reason` is set the
 * expander has given up: it takes nothing more, and `outcome` says why.
 */
export interface LayerExpander {
  readonly codec: LayerCodecId;
  /** Why the layer cannot be expanded, once that is known (after any push, or at finish). */
  readonly reason: string | undefined;
  /** The first plaintext `compressed` completed, in order (maybe none). The expander keeps no reference to `compressed`. */
  push(compressed: Uint8Array): Uint8Array[];
  /** The next plaintext of the input given so far; none once it is all out. */
  more(): Uint8Array[];
  /** The stream has ended: the first of the remaining plaintext. */
  finish(): Uint8Array[];
  /** After `finish` and once `more` returned none: what the recipe needs, or why the layer stays as it is. */
  outcome(): ExpandOutcome;
}

/**
 * The plaintext a layer may expand to. Expansion streams, holding a few
 * tens of MiB whatever the layer's size, so this bounds the time and disk
 * one layer (a tar of huge files, or a compression bomb pushed on purpose)
 * may take, not memory.
 */
export const DEFAULT_EXPAND_MAX_PLAIN_BYTES = 64 * 1024 * 1024 * 1024;

export const DEFAULT_ZSTD_SEARCH_MS = 20_000;

/**
 * zstd levels are searched over this much of a layer's plaintext (and the
 * compressed bytes that hold it): enough for every level to have written
 * many blocks, so a level that matches the prefix is almost surely the one.
 * The engine's rebuild from the stored chunks settles the rest.
 */
export const ZSTD_SEARCH_PREFIX_BYTES = 8 * 1024 * 1024;

// Most layers are made at the tools' defaults (3) or at the top of the normal range (19).
const ZSTD_LEVELS = [3, 19, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22];

/** Plaintext is fed to the zstd encoder in pieces of this size. */
const ZSTD_FEED_BYTES = 1024 * 1024;

/** Plaintext an expander hands out per call (a decompression bomb comes out in pieces of this size, not at once). */
const PLAIN_BATCH_BYTES = 4 * 1024 * 1024;

/** Plaintext pieces a zstd expander hands out are at most this size. */
const ZSTD_PIECE_BYTES = 1024 * 1024;

export function zstdLibraryVersion(): string {
  return zstd.versionString();
}

/** A streaming expander for a layer compressed with `codec`. CPU-bound: the engine runs it on a worker thread. */
export function createLayerExpander(codec: LayerCodecId, options: LayerExpanderOptions = {}): LayerExpander {
  const maxPlainBytes = options.maxPlainBytes ?? DEFAULT_EXPAND_MAX_PLAIN_BYTES;
  return codec === LayerCodec.Gzip
    ? new GzipLayerExpander(maxPlainBytes)
    : new ZstdLayerExpander(maxPlainBytes, options.zstdSearchMs ?? DEFAULT_ZSTD_SEARCH_MS);
}

/**
 * Expands a compressed layer held in memory (the streaming expander fed
 * the whole buffer), keeping the result only if it rebuilds the exact input
 * (unless `verify` is false).
 */
export function expandLayer(bytes: Uint8Array, options: ExpandLayerOptions = {}): ExpandAttempt {
  const codec = layerCodecOf(bytes);
  if (codec === undefined) return { reason: 'not gzip or zstd' };
  const expander = createLayerExpander(codec, options);
  const pieces: Uint8Array[] = [];
  for (let batch = expander.push(bytes); batch.length > 0; batch = expander.more()) pieces.push(...batch);
  for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) pieces.push(...batch);
  const outcome = expander.outcome();
  if ('reason' in outcome) return outcome;
  const plaintext = Buffer.concat(pieces);
  if ((options.verify ?? true) && !rebuildsExactly(outcome.expansion, plaintext, bytes)) {
    return { reason: codec === LayerCodec.Gzip ? 'gzip stream is not rebuilt exactly' : `no zstd level of libzstd ${zstdLibraryVersion()} reproduces the layer` };
  }
  return { expansion: { ...outcome.expansion, plaintext } };
}

function rebuildsExactly(expansion: LayerExpansion, plaintext: Uint8Array, original: Uint8Array): boolean {
  if (expansion.codec === LayerCodec.Gzip) {
    try {
      return Buffer.from(reconstructGzip(plaintext, expansion.corrections)).equals(original);
    } catch {
      return false;
    }
  }
  const params = parseZstdParams(expansion.params);
  // A level found over the whole plaintext was already checked against the whole layer.
  if (params.mode === 'oneshot' || plaintext.length <= ZSTD_SEARCH_PREFIX_BYTES) return true;
  return streamMatches(params, plaintext, original);
}

/**
 * What both codecs share: the plaintext count and its bound, giving up for
 * good on the first reason, and the order of calls.
 */
abstract class BoundedExpander implements LayerExpander {
  abstract readonly codec: LayerCodecId;
  reason: string | undefined;
  readonly #maxPlainBytes: number;
  #plainSize = 0;
  #finished = false;

  constructor(maxPlainBytes: number) {
    this.#maxPlainBytes = maxPlainBytes;
  }

  /** The codec's first plaintext for these compressed bytes; may set `reason` or throw. */
  protected abstract take(compressed: Uint8Array): Uint8Array[];
  /** The codec's next plaintext of the input it holds; may set `reason` or throw. */
  protected abstract next(): Uint8Array[];
  /** The codec's first remaining plaintext at the end of the stream; may set `reason` or throw. */
  protected abstract end(): Uint8Array[];
  /** The reason a codec error gives. */
  protected abstract failure(error: unknown): string;
  /** The recipe's codec fields once the stream ended well. */
  protected abstract describe(plainSize: number): LayerExpansion;

  push(compressed: Uint8Array): Uint8Array[] {
    if (this.#finished) throw new StrataError('FailedPrecondition', 'push after finish');
    return this.#run(() => this.take(compressed));
  }

  more(): Uint8Array[] {
    return this.#run(() => this.next());
  }

  finish(): Uint8Array[] {
    if (this.#finished) throw new StrataError('FailedPrecondition', 'finish called twice');
    const rest = this.#run(() => this.end());
    this.#finished = true;
    return rest;
  }

  outcome(): ExpandOutcome {
    if (this.reason !== undefined) return { reason: this.reason };
    if (!this.#finished) throw new StrataError('FailedPrecondition', 'outcome before finish');
    return { expansion: this.describe(this.#plainSize) };
  }

  #run(step: () => Uint8Array[]): Uint8Array[] {
    if (this.reason !== undefined) return [];
    let pieces: Uint8Array[];
    try {
      pieces = step();
    } catch (error) {
      this.reason = this.failure(error);
      return [];
    }
    for (const piece of pieces) this.#plainSize += piece.length;
    if (this.#plainSize > this.#maxPlainBytes) this.reason = `plaintext larger than ${this.#maxPlainBytes} bytes`;
    return this.reason === undefined ? pieces : [];
  }
}

class GzipLayerExpander extends BoundedExpander {
  readonly codec = LayerCodec.Gzip;
  readonly #inner = new GzipExpander();

  protected take(compressed: Uint8Array): Uint8Array[] {
    return this.#inner.push(compressed);
  }

  protected next(): Uint8Array[] {
    return this.#inner.more();
  }

  protected end(): Uint8Array[] {
    return this.#inner.finish();
  }

  protected failure(error: unknown): string {
    return `gzip does not parse: ${(error as Error).message}`;
  }

  protected describe(plainSize: number): LayerExpansion {
    const { corrections, restartPoints } = this.#inner.result();
    return {
      codec: LayerCodec.Gzip,
      corrections,
      params: new Uint8Array(),
      restarts: restartPoints.map(({ member, segment, plaintextOffset, compressedOffset, windowStart }) => ({
        member,
        segment,
        plaintextOffset,
        compressedOffset,
        windowStart,
      })),
      plainSize,
    };
  }
}

/**
 * zstd: decompressed through one streaming context; the first
 * ZSTD_SEARCH_PREFIX_BYTES of plaintext and the compressed bytes that hold
 * them are kept until a level is found for them, then let go.
 */
class ZstdLayerExpander extends BoundedExpander {
  readonly codec = LayerCodec.Zstd;
  readonly #searchMs: number;
  readonly #dctx = new zstd.DCtx();
  readonly #out = Buffer.allocUnsafe(ZSTD_PIECE_BYTES);
  // Kept until the level search is done.
  #head: Uint8Array[] | undefined = [];
  #headBytes = 0;
  #plainHead: Uint8Array[] | undefined = [];
  #plainHeadBytes = 0;
  #headerChecked = false;
  // What the last decompressStream call still expected: 0 once a frame ended with nothing more to write.
  #hint = 1;
  #params: ZstdParams | undefined;
  /** Compressed bytes pushed and not decompressed yet. */
  #input: Uint8Array = new Uint8Array(0);
  /** The prefix, once a level reproduces it, still to be handed out. */
  #released: Uint8Array[] = [];

  constructor(maxPlainBytes: number, searchMs: number) {
    super(maxPlainBytes);
    this.#searchMs = searchMs;
  }

  protected take(compressed: Uint8Array): Uint8Array[] {
    // One copy serves both the level search's prefix and the decoder: neither writes to it.
    const copy: Uint8Array = Uint8Array.prototype.slice.call(compressed);
    if (this.#head) {
      this.#head.push(copy);
      this.#headBytes += compressed.length;
      if (!this.#headerChecked && this.#headBytes >= 6) {
        this.#headerChecked = true;
        this.reason = headerProblem(Buffer.concat(this.#head));
        if (this.reason !== undefined) return [];
      }
    }
    this.#input = this.#input.length === 0 ? copy : Buffer.concat([this.#input, copy]);
    return this.next();
  }

  /**
   * Until a level is found for the prefix, its plaintext is held back: a
   * layer no level reproduces gives up before any of it is stored.
   */
  protected next(): Uint8Array[] {
    if (this.#released.length > 0) return this.#takeReleased();
    if (!this.#plainHead) return this.#decompress();
    for (;;) {
      const pieces = this.#decompress();
      // None: the input is used up.
      if (pieces.length === 0) return [];
      this.#plainHead.push(...pieces);
      this.#plainHeadBytes += pieces.reduce((sum, piece) => sum + piece.length, 0);
      if (this.#plainHeadBytes > ZSTD_SEARCH_PREFIX_BYTES) {
        this.#release(false);
        return this.#takeReleased();
      }
    }
  }

  protected end(): Uint8Array[] {
    if (this.#head && this.#headBytes < 6) {
      this.reason = 'zstd frame is truncated';
      return [];
    }
    if (this.#hint !== 0) throw new Error('the stream ends inside a frame');
    if (this.#plainHead) this.#release(true);
    return this.#takeReleased();
  }

  /** Searches the level over the prefix held; the prefix is handed out (by `next`) if one reproduces it. */
  #release(ended: boolean): void {
    const held = this.#plainHead!;
    this.#search(ended);
    if (this.reason === undefined) this.#released = held;
  }

  /** About PLAIN_BATCH_BYTES of the released prefix. */
  #takeReleased(): Uint8Array[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#released.length && bytes < PLAIN_BATCH_BYTES) bytes += this.#released[count++]!.length;
    return this.#released.splice(0, count);
  }

  protected failure(error: unknown): string {
    return `zstd does not decompress: ${(error as Error).message}`;
  }

  protected describe(plainSize: number): LayerExpansion {
    return { codec: LayerCodec.Zstd, corrections: new Uint8Array(), params: Buffer.from(JSON.stringify(this.#params)), restarts: [], plainSize };
  }

  /** Up to about PLAIN_BATCH_BYTES of plaintext from the input held (a frame of zeros may hold gigabytes). */
  #decompress(): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let produced = 0;
    while (produced < PLAIN_BATCH_BYTES) {
      const [hint, written, consumed] = this.#dctx.decompressStream(this.#out, this.#input);
      // A call that did nothing (the drain after a frame ended) asks for the next frame's header: no news.
      if (consumed > 0 || written > 0) this.#hint = hint;
      if (written > 0) pieces.push(Buffer.from(this.#out.subarray(0, written)));
      produced += written;
      this.#input = this.#input.subarray(consumed);
      // A full output buffer may hide more: the decoder is drained until it writes less than it could.
      if (this.#input.length === 0 && written < this.#out.length) break;
      if (consumed === 0 && written === 0) throw new Error('the decoder makes no progress');
    }
    return pieces;
  }

  /** Picks the level from the prefix kept (the whole layer when `ended`), then lets the prefix go. */
  #search(ended: boolean): void {
    const head = Buffer.concat(this.#head!);
    const plaintext = Buffer.concat(this.#plainHead!);
    this.#head = undefined;
    this.#plainHead = undefined;
    const descriptor = head[4]!;
    const contentSize = descriptor >> 6 !== 0 || ((descriptor >> 5) & 1) === 1;
    const checksum = ((descriptor >> 2) & 1) === 1;
    const library = zstdLibraryVersion();
    this.#params = ended ? wholeLayerLevel(plaintext, head, checksum, contentSize, library, this.#searchMs) : prefixLevel(plaintext, head, checksum, contentSize, library);
    if (!this.#params) this.reason = `no zstd level of libzstd ${library} reproduces the layer`;
  }
}

/** Why a zstd frame header rules the layer out, if it does. */
function headerProblem(head: Uint8Array): string | undefined {
  if ((head[4]! & 3) !== 0) return 'zstd frame uses a dictionary';
  return undefined;
}

/** A layer whose whole plaintext is at hand: streaming tries, then one-shot tries within the time budget. */
function wholeLayerLevel(plaintext: Uint8Array, original: Uint8Array, checksum: boolean, contentSize: boolean, library: string, searchMs: number): ZstdParams | undefined {
  // Streaming tries stop at the first byte that differs, so every level is cheap to try.
  for (const level of ZSTD_LEVELS) {
    const params: ZstdParams = { level, mode: 'stream', checksum, contentSize, library };
    if (streamMatches(params, plaintext, original)) return params;
  }
  const deadline = Date.now() + searchMs;
  for (const level of ZSTD_LEVELS) {
    if (Date.now() > deadline) break;
    const params: ZstdParams = { level, mode: 'oneshot', checksum, contentSize, library };
    if (Buffer.from(compressOneShot(params, plaintext)).equals(original)) return params;
  }
  return undefined;
}

/**
 * A layer longer than the prefix: the first streaming level whose output
 * for the plaintext prefix is the start of the layer, pledging the size the
 * frame header gives. One-shot encoders need the whole plaintext: not tried.
 */
function prefixLevel(plaintext: Uint8Array, original: Uint8Array, checksum: boolean, contentSize: boolean, library: string): ZstdParams | undefined {
  let pledged: number | undefined;
  if (contentSize) {
    try {
      pledged = zstd.getFrameContentSize(original) ?? undefined;
    } catch {
      return undefined;
    }
    if (pledged === undefined) return undefined;
  }
  for (const level of ZSTD_LEVELS) {
    const params: ZstdParams = { level, mode: 'stream', checksum, contentSize, library };
    if (prefixMatches(params, pledged, plaintext, original)) return params;
  }
  return undefined;
}

function prefixMatches(params: ZstdParams, pledged: number | undefined, plaintext: Uint8Array, original: Uint8Array): boolean {
  const cctx = context(params);
  if (pledged !== undefined) cctx.setPledgedSrcSize(pledged);
  const out = Buffer.allocUnsafe(zstd.cStreamOutSize());
  let at = 0;
  for (const piece of piecesOf(plaintext)) {
    for (const output of drive(cctx, out, piece, zstd.EndDirective.continue)) {
      // The right level has written no more than the decoder read to get this plaintext.
      if (at + output.length > original.length || !Buffer.from(output).equals(original.subarray(at, at + output.length))) return false;
      at += output.length;
    }
  }
  return at > 0;
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
