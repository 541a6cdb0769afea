/**
 * Layer expansion: a committed gzip or zstd blob is read back, decompressed
 * and its tar chunked with tar-aware cut points, so layers that share files
 * share chunks whatever their compression. The blob keeps its name (the
 * digest of the compressed bytes): an expanded recipe records the codec,
 * what it takes to compress the plaintext back bit for bit (redeflate
 * corrections, or zstd parameters) and restart points for ranged reads.
 *
 * Expansion runs after commit, off the write path, one blob at a time. It
 * changes nothing visible until its last step: new chunks are appended and
 * made durable, the whole layer is rebuilt from the stored chunks through
 * the read path and must hash to the blob's digest, and only then, holding
 * the blob's lock, is the expanded recipe appended and swapped into the
 * index in one transaction (references taken on the new chunks, dropped on
 * the old compressed ones, which become garbage). An expansion that stops
 * short of the swap (it gave up, failed, or the store closed) leaves the
 * blob as it was and indexes the chunks it appended as garbage, so the next
 * try reuses them. A crash before the swap leaves the blob as it was and
 * the new chunk records unindexed (dead records compaction drops); a crash
 * after the recipe record but before the swap is finished by replay on the
 * next open.
 */
import { canonicalDigest, Digester, parseDigest, sha256Raw } from '@strata/digest';
import { StrataError } from '@strata/errors';
import { TarChunker } from '@strata/chunker';
import { pinIfIndexed, type EngineCore } from './engine-core.ts';
import { CORRECTIONS_VERSION } from '@strata/redeflate';
import { countUses, type CommitChunk, type ExpansionMark } from './index-db.ts';
import { inThreadSession, ExpansionThread, type ExpansionSession } from './expansion-session.ts';
import { DEFAULT_EXPAND_MAX_PLAIN_BYTES, layerCodecOf, zstdLibraryVersion } from './layer-codecs.ts';
import type { ChunkEntry } from './layout.ts';
import { Codec, RecordType, type RecordFields } from './pack-format.ts';
import { readRecipe } from './read-path.ts';
import { appendRecipe } from './recipe-records.ts';
import { decodeRecipe, encodeExpandedRecipe, LayerCodec, RecipeKind, type ChunkRef, type LayerCodecId } from './recipe.ts';

/**
 * Layers larger than this stay as they are. Expansion streams (it holds a
 * few tens of MiB whatever the layer), so this bounds the time and disk
 * one expansion takes, not memory.
 */
export const DEFAULT_EXPAND_MAX_BYTES = 16 * 1024 * 1024 * 1024;

/**
 * zstd level of the chunks expansion stores. Expansion runs in the
 * background, off every request's path, so it affords the slower levels:
 * on image layers' tars, level 15 stores about 11% fewer bytes than the
 * store's default 3 (level 9 about 6%), compressing at a few MB/s per core
 * instead of over a hundred.
 */
export const DEFAULT_EXPAND_ZSTD_LEVEL = 15;

// New chunks are compressed and appended in batches of about this many bytes.
const STORE_BATCH_BYTES = 4 * 1024 * 1024;
// Compressed bytes are handed to the expander in pieces of about this many.
const FEED_BYTES = 1024 * 1024;
// Plaintext is cut into chunks this much at a time, so a large piece is stored as it is cut.
const CUT_BYTES = 4 * 1024 * 1024;
// Chunks pinned and looked up in the index together.
const LOOKUP_BATCH = 256;
// Expansion marks looked up together by a catch-up's listing.
const MARK_BATCH = 500;

export interface ExpansionResult {
  digest: string;
  /** expanded: now held as an expanded recipe; plain: tried, kept as it was; skipped: not a candidate. */
  outcome: 'expanded' | 'plain' | 'skipped';
  /** Why a blob stayed plain or was skipped. */
  reason?: string;
  codec?: 'gzip' | 'zstd';
  size: number;
  plainSize?: number;
  correctionBytes?: number;
  /** Chunks of the expanded recipe (plaintext and corrections), and how many of them the store did not hold. */
  chunks?: number;
  newChunks?: number;
}

export interface ExpansionOptions {
  maxBytes: number;
  /** zstd level of the chunks the expansion stores. */
  zstdLevel: number;
  /** Starts the CPU-bound streaming expansion of one layer (on a worker thread in the engine). */
  open: (codec: LayerCodecId) => ExpansionSession;
  signal?: AbortSignal;
}

/**
 * What a mark left by a failed or pointless expansion is good for: a blob
 * marked under the same version is not tried again, one marked under an
 * older one is (a newer model or libzstd may reproduce it).
 */
export function expanderVersion(): string {
  return `expansion/1 redeflate/${CORRECTIONS_VERSION} libzstd/${zstdLibraryVersion()}`;
}

/** Expands one stored blob if it is a compressed layer that rebuilds exactly. */
export async function expandStoredBlob(core: EngineCore, digest: string, options: ExpansionOptions): Promise<ExpansionResult> {
  const result = await tryExpansion(core, digest, options);
  // Remember outcomes that trying again would repeat, so a catch-up skips them.
  if (result.outcome === 'plain' || (result.outcome === 'skipped' && result.reason === NOT_A_LAYER)) {
    const mark: ExpansionMark = { version: expanderVersion(), outcome: result.outcome, reason: result.reason ?? '', triedAt: Date.now() };
    await core.index.putExpansionMark(digest, mark);
  }
  return result;
}

const NOT_A_LAYER = 'not gzip or zstd';

async function tryExpansion(core: EngineCore, digest: string, options: ExpansionOptions): Promise<ExpansionResult> {
  const original = await core.index.getRecipe(digest);
  if (!original) throw new StrataError('NotFound', `blob ${digest} not found`, { details: { digest } });
  const recipe = decodeRecipe(original);
  const size = recipe.size;
  const skipped = (reason: string): ExpansionResult => ({ digest, outcome: 'skipped', reason, size });
  if (recipe.kind === RecipeKind.Expanded) return skipped('already expanded');
  if (recipe.kind !== RecipeKind.Chunked) return skipped('small blobs are kept whole');
  if (size > options.maxBytes) return skipped(`larger than ${options.maxBytes} bytes`);
  const head = await readAll(readRecipe(core, digest, recipe, 0, Math.min(size, 8)));
  const codec = layerCodecOf(head);
  if (codec === undefined) return skipped(NOT_A_LAYER);

  // A layer too small for the hot cache at its ingest is kept once expanded (re-encoding it is slow): for the pull that follows a push.
  const keep: Buffer[] | undefined = core.cacheIngests && !core.hotCache.wants(size) && core.hotCache.wants(size, true) ? [] : undefined;
  const session = options.open(codec);
  const stored = new StoredChunks(core, options.zstdLevel);
  let swapped = false;
  try {
    const cut = new PlainChunks(core, stored, options.signal);
    let feed: Buffer[] = [];
    let feedBytes = 0;
    // Plaintext comes a few MiB per call, however much the compressed bytes hold (a bomb is no burst).
    const drain = async (first: Uint8Array[]): Promise<void> => {
      let batch = first;
      while (batch.length > 0 && session.reason === undefined) {
        // The expander works out the next batch while this one is cut, compressed and stored. Its failure
        // (the worker lost, the store closing) is handled from the start and rethrown when it is awaited.
        const next = session.more();
        next.catch(() => {});
        await cut.take(batch);
        batch = await next;
      }
    };
    const push = async (): Promise<void> => {
      const compressed = Buffer.concat(feed, feedBytes);
      feed = [];
      feedBytes = 0;
      await drain(await session.push(compressed));
    };
    for await (const piece of readRecipe(core, digest, recipe, 0, size)) {
      options.signal?.throwIfAborted();
      keep?.push(piece as Buffer);
      feed.push(piece as Buffer);
      feedBytes += (piece as Buffer).length;
      if (feedBytes >= FEED_BYTES) await push();
      // Given up (a bound, or a stream that does not parse): the rest need not be read.
      if (session.reason !== undefined) break;
    }
    if (feedBytes > 0 && session.reason === undefined) await push();
    if (session.reason === undefined) await drain(await session.finish());
    const outcome = await session.outcome();
    options.signal?.throwIfAborted();
    if ('reason' in outcome) return { digest, outcome: 'plain', reason: outcome.reason, size };
    const plainRefs = await cut.finish();
    const expansion = outcome.expansion;
    const codecName = expansion.codec === LayerCodec.Gzip ? 'gzip' : 'zstd';
    const correctionRefs = await stored.add(cutPieces(expansion.corrections, core.settings.chunker.maxSize), options.signal);
    const durable = await core.packWriter.sync();
    const body = {
      codec: expansion.codec,
      plainSize: expansion.plainSize,
      params: expansion.params,
      restarts: expansion.restarts,
      plain: plainRefs,
      corrections: correctionRefs,
    };
    const expanded = encodeExpandedRecipe(body, size, recipe.createdAt);
    // Never serve a byte that differs: the layer as the read path will rebuild it, from the stored chunks.
    const problem = await checkRebuild(core, digest, expanded, stored);
    if (problem) return { digest, outcome: 'plain', reason: problem, codec: codecName, size };
    options.signal?.throwIfAborted();
    const all = [...plainRefs, ...correctionRefs];
    const chunks: CommitChunk[] = [...countUses(all)].map(([hex, uses]) => ({
      digest: Buffer.from(hex, 'hex'),
      uses,
      location: stored.location(hex),
    }));
    swapped = await core.blobLocks.withLocks([digest], async () => {
      // Checked under the lock: a delete (also under it) must not be followed in the log by this recipe.
      if (!(await core.index.getRecipe(digest))?.equals(original)) return false;
      const { indexValue, durable: recorded } = await appendRecipe(core, digest, expanded);
      const done = await core.index.swapRecipe({ digest, expected: original, recipe: indexValue, chunks, durable: later(durable, recorded) });
      // Under the lock, so a delete cannot come between the swap and the copy; the cache is disposable, so a failed copy is no failure.
      if (done && keep) await cacheCopy(core, digest, Buffer.concat(keep)).catch(() => {});
      return done;
    });
    if (!swapped) return skipped('changed or deleted while it was being expanded');
    return {
      digest,
      outcome: 'expanded',
      codec: codecName,
      size,
      plainSize: expansion.plainSize,
      correctionBytes: expansion.corrections.length,
      chunks: all.length,
      newChunks: stored.fresh,
    };
  } finally {
    session.close();
    // Given up, failed or stopped: what it stored is indexed as garbage, for the next try of the blob to reuse
    // (or garbage collection to reclaim) rather than left as records nothing can find.
    if (!swapped) await stored.indexAsGarbage().catch(() => {});
    stored.release();
  }
}

async function cacheCopy(core: EngineCore, digest: string, bytes: Buffer): Promise<void> {
  const copy = core.hotCache.startCopy();
  await copy.write(bytes);
  await copy.commit(digest, bytes.length, true);
}

function later(a: { packId: number; length: number }, b: { packId: number; length: number }): { packId: number; length: number } {
  return a.packId > b.packId || (a.packId === b.packId && a.length > b.length) ? a : b;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/** A layer's plaintext, cut tar-aware as it streams in and stored in batches, its chunk refs kept in order. */
class PlainChunks {
  readonly #stored: StoredChunks;
  readonly #signal: AbortSignal | undefined;
  readonly #chunker: TarChunker;
  readonly #refs: ChunkRef[] = [];
  #batch: Uint8Array[] = [];
  #batchBytes = 0;

  constructor(core: EngineCore, stored: StoredChunks, signal: AbortSignal | undefined) {
    this.#stored = stored;
    this.#signal = signal;
    this.#chunker = new TarChunker(core.settings.chunker);
  }

  async take(plaintext: readonly Uint8Array[]): Promise<void> {
    for (const piece of plaintext) {
      for (let at = 0; at < piece.length; at += CUT_BYTES) {
        for (const chunk of this.#chunker.push(piece.subarray(at, at + CUT_BYTES))) {
          this.#batch.push(chunk);
          this.#batchBytes += chunk.length;
        }
        if (this.#batchBytes >= STORE_BATCH_BYTES) await this.#store();
      }
    }
  }

  async finish(): Promise<ChunkRef[]> {
    const tail = this.#chunker.finish();
    if (tail) this.#batch.push(tail);
    await this.#store();
    return this.#refs;
  }

  async #store(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    if (batch.length > 0) this.#refs.push(...(await this.#stored.add(batch, this.#signal)));
  }
}

function cutPieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

async function checkRebuild(core: EngineCore, digest: string, expanded: Buffer, stored: StoredChunks): Promise<string | undefined> {
  const recipe = decodeRecipe(expanded);
  const digester = new Digester(parseDigest(digest).algorithm);
  try {
    for await (const piece of readRecipe(core, digest, recipe, 0, recipe.size, (chunks) => stored.locate(chunks))) digester.update(piece as Buffer);
  } catch (error) {
    if (error instanceof StrataError && error.code === 'DataLoss') return `rebuild failed: ${error.message}`;
    throw error;
  }
  if (digester.size !== recipe.size) return `rebuilt ${digester.size} bytes, not ${recipe.size}`;
  return digester.digest() === digest ? undefined : 'rebuilt bytes differ from the blob';
}

/**
 * The chunks of one expansion: each is pinned before it is looked up (so
 * garbage collection keeps those found in the index), the others are
 * compressed and appended to the open pack, unindexed until the swap.
 */
class StoredChunks {
  readonly #core: EngineCore;
  readonly #pinned = new Set<string>();
  readonly #located = new Map<string, Omit<ChunkEntry, 'refs'>>();
  readonly #token: symbol;
  readonly #level: number;
  fresh = 0;

  constructor(core: EngineCore, level: number) {
    this.#core = core;
    this.#level = level;
    this.#token = core.unindexed.begin(core.packWriter.openPackId);
  }

  async add(chunks: readonly Uint8Array[], signal: AbortSignal | undefined): Promise<ChunkRef[]> {
    const refs: ChunkRef[] = [];
    let batch: { digest: Buffer; data: Uint8Array }[] = [];
    let batchBytes = 0;
    for (let from = 0; from < chunks.length; from += LOOKUP_BATCH) {
      const unseen: { digest: Buffer; data: Uint8Array }[] = [];
      for (const data of chunks.slice(from, from + LOOKUP_BATCH)) {
        const digest = sha256Raw(data);
        const hex = digest.toString('hex');
        refs.push({ digest, length: data.byteLength });
        if (this.#pinned.has(hex)) continue;
        this.#pinned.add(hex);
        unseen.push({ digest, data });
      }
      const indexed = unseen.length === 0 ? [] : await pinIfIndexed(this.#core, unseen.map(({ digest }) => digest));
      for (const [i, chunk] of unseen.entries()) {
        if (indexed[i]) continue;
        batch.push(chunk);
        batchBytes += chunk.data.byteLength;
        if (batchBytes >= STORE_BATCH_BYTES) {
          signal?.throwIfAborted();
          await this.#store(batch);
          batch = [];
          batchBytes = 0;
        }
      }
    }
    await this.#store(batch);
    return refs;
  }

  async #store(batch: readonly { digest: Buffer; data: Uint8Array }[]): Promise<void> {
    if (batch.length === 0) return;
    const { pool, packWriter } = this.#core;
    const payloads = await pool.compress(batch.map((chunk) => chunk.data), this.#level);
    const records: RecordFields[] = payloads.map((payload, i) => ({
      type: RecordType.Chunk,
      codec: payload.codec as Codec,
      key: batch[i]!.digest,
      rawLength: batch[i]!.data.byteLength,
      payload: payload.payload,
    }));
    const placed = await packWriter.append(records);
    placed.forEach((where, i) => {
      this.#located.set(batch[i]!.digest.toString('hex'), {
        ...where,
        rawLength: batch[i]!.data.byteLength,
        codec: payloads[i]!.codec,
      });
    });
    this.fresh += batch.length;
  }

  /** Indexes the chunks this expansion appended, with no recipe using them (garbage). */
  async indexAsGarbage(): Promise<void> {
    if (this.#located.size === 0) return;
    const durable = await this.#core.packWriter.sync();
    await this.#core.index.addChunks(
      [...this.#located].map(([hex, location]) => ({ digest: Buffer.from(hex, 'hex'), location })),
      durable,
    );
  }

  /** Where a chunk this expansion stored lies (undefined for chunks the index held). */
  location(hex: string): Omit<ChunkEntry, 'refs'> | undefined {
    return this.#located.get(hex);
  }

  async locate(digests: readonly Buffer[]): Promise<(Omit<ChunkEntry, 'refs'> | undefined)[]> {
    const own = digests.map((digest) => this.#located.get(digest.toString('hex')));
    const asked = digests.filter((_, i) => own[i] === undefined);
    const indexed = asked.length === 0 ? [] : await this.#core.index.getChunks(asked);
    let at = 0;
    return own.map((entry) => entry ?? indexed[at++]);
  }

  release(): void {
    for (const hex of this.#pinned) this.#core.pins.release(hex);
    this.#pinned.clear();
    this.#core.unindexed.end(this.#token);
  }
}

/** Where a catch-up is: blobs and their bytes done of those it found to try. */
export interface CatchUpProgress {
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  /** The blob just finished (absent before the first, and when it failed). */
  result?: ExpansionResult;
  /** The blob whose expansion just failed with an error (it is unchanged). */
  failure?: { digest: string; message: string };
}

export interface CatchUpOptions {
  /** Also try blobs an earlier expansion under this version left as they were. */
  retry?: boolean;
  /**
   * Try these blobs, in this order, whatever earlier tries made of them,
   * instead of listing the index. NotFound (before any is tried) when one
   * is not stored.
   */
  digests?: readonly string[];
  onProgress?: (progress: CatchUpProgress) => void;
  signal?: AbortSignal;
}

export interface CatchUpReport {
  /** Blobs found to try. */
  tried: number;
  expanded: number;
  /** Compressed layers that stayed as they were (no rebuild reproduced them). */
  plain: number;
  /** Not layers, deleted meanwhile, or over the size limit. */
  skipped: number;
  /** Expansions that failed with an error (the blob is unchanged). */
  failed: number;
  /** Logical bytes of the blobs expanded. */
  expandedBytes: number;
}

/**
 * Stored blobs expansion has not tried under this expander version (with
 * `retry`, also those it left as they were), in digest order. Expanded
 * recipes, blobs kept whole and blobs over the size limit are not listed.
 */
async function pendingBlobs(core: EngineCore, maxBytes: number, retry: boolean, signal: AbortSignal): Promise<{ digest: string; size: number }[]> {
  const version = expanderVersion();
  const found: { digest: string; size: number }[] = [];
  let candidates: { digest: string; size: number }[] = [];
  const sift = async (): Promise<void> => {
    const marks = retry ? [] : await core.index.getExpansionMarks(candidates.map(({ digest }) => digest));
    found.push(...candidates.filter((_, i) => marks[i]?.version !== version));
    candidates = [];
  };
  for await (const { digest, recipe } of core.index.blobs()) {
    signal.throwIfAborted();
    const { kind, size } = decodeRecipe(recipe);
    if (kind !== RecipeKind.Chunked || size > maxBytes) continue;
    candidates.push({ digest, size });
    if (candidates.length === MARK_BATCH) await sift();
  }
  await sift();
  return found;
}

/** The named blobs with their sizes; NotFound for the first one not stored. */
async function namedBlobs(core: EngineCore, digests: readonly string[]): Promise<{ digest: string; size: number }[]> {
  const found: { digest: string; size: number }[] = [];
  for (const name of digests) {
    const digest = canonicalDigest(name);
    const recipe = await core.index.getRecipe(digest);
    if (!recipe) throw new StrataError('NotFound', `blob ${digest} not found`, { details: { digest } });
    found.push({ digest, size: decodeRecipe(recipe).size });
  }
  return found;
}

/** How an ExpansionQueue expands. */
export interface ExpansionQueueOptions {
  maxBytes: number;
  /** Layers whose plaintext is larger stay as they are; DEFAULT_EXPAND_MAX_PLAIN_BYTES by default. */
  maxPlainBytes?: number;
  zstdLevel: number;
  /** Run the expander on a worker thread (else on the event loop's). */
  useWorker: boolean;
}

/**
 * Expansions run one at a time in commit order, in the background; the
 * CPU-heavy part (parsing and modelling the compressed stream) runs on a
 * worker thread so reads and writes go on meanwhile, and each layer streams
 * through it, so memory stays small whatever the layer's size.
 */
export class ExpansionQueue {
  readonly #core: EngineCore;
  readonly #maxBytes: number;
  readonly #maxPlainBytes: number;
  readonly #zstdLevel: number;
  readonly #thread: ExpansionThread | undefined;
  readonly #closing = new AbortController();
  #tail: Promise<unknown> = Promise.resolve();
  #background: Promise<unknown> = Promise.resolve();
  #queued = 0;

  constructor(core: EngineCore, options: ExpansionQueueOptions) {
    this.#core = core;
    this.#maxBytes = options.maxBytes;
    this.#maxPlainBytes = options.maxPlainBytes ?? DEFAULT_EXPAND_MAX_PLAIN_BYTES;
    this.#zstdLevel = options.zstdLevel;
    this.#thread = options.useWorker ? new ExpansionThread() : undefined;
  }

  /** Expands `digest` after what is queued before it. */
  expand(digest: string): Promise<ExpansionResult> {
    this.#queued++;
    const run = this.#tail.then(() => {
      this.#closing.signal.throwIfAborted();
      return expandStoredBlob(this.#core, digest, {
        maxBytes: this.#maxBytes,
        zstdLevel: this.#zstdLevel,
        open: (codec) => this.#open(codec),
        signal: this.#closing.signal,
      });
    });
    const settled = run.finally(() => this.#queued--);
    this.#tail = settled.catch(() => {});
    return settled.catch((error: unknown) => {
      if (this.#closing.signal.aborted) throw new StrataError('Cancelled', 'the store closed before the expansion ran', { cause: error });
      throw error;
    });
  }

  /**
   * Expands, one after another, the stored blobs no expansion has tried
   * yet (those committed while the store did not expand layers, or whose
   * queued expansion a restart dropped), or the blobs `digests` names.
   * Commits made meanwhile are queued between them.
   */
  async catchUp(options: CatchUpOptions = {}): Promise<CatchUpReport> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    const pending = options.digests
      ? await namedBlobs(this.#core, options.digests)
      : await pendingBlobs(this.#core, this.#maxBytes, options.retry === true, signal);
    const report: CatchUpReport = { tried: pending.length, expanded: 0, plain: 0, skipped: 0, failed: 0, expandedBytes: 0 };
    const progress: CatchUpProgress = { done: 0, total: pending.length, bytesDone: 0, bytesTotal: 0 };
    for (const { size } of pending) progress.bytesTotal += size;
    options.onProgress?.({ ...progress });
    for (const { digest, size } of pending) {
      options.signal?.throwIfAborted();
      this.#closing.signal.throwIfAborted();
      let result: ExpansionResult;
      try {
        result = await this.expand(digest);
      } catch (error) {
        if (this.#closing.signal.aborted) throw error;
        const deleted = error instanceof StrataError && error.code === 'NotFound';
        if (deleted) report.skipped++;
        else report.failed++;
        progress.done++;
        progress.bytesDone += size;
        options.onProgress?.({ ...progress, ...(deleted ? {} : { failure: { digest, message: (error as Error).message } }) });
        continue;
      }
      report[result.outcome]++;
      if (result.outcome === 'expanded') report.expandedBytes += result.size;
      progress.done++;
      progress.bytesDone += size;
      options.onProgress?.({ ...progress, result });
    }
    return report;
  }

  /** Runs a catch-up in the background (a store that expands layers does, on open); its end is not awaited. */
  startCatchUp(): void {
    this.#background = this.catchUp().catch(() => {});
  }

  /** Queues a blob just committed; failures only mean it stays as it is. */
  offer(digest: string): void {
    this.expand(digest).catch(() => {});
  }

  /** Expansions queued or running. */
  get pending(): number {
    return this.#queued;
  }

  /** Resolves once every expansion queued so far has ended. */
  async idle(): Promise<void> {
    while (this.#queued > 0) await this.#tail;
  }

  #open(codec: LayerCodecId): ExpansionSession {
    const options = { maxPlainBytes: this.#maxPlainBytes };
    return this.#thread ? this.#thread.session(codec, options, this.#closing.signal) : inThreadSession(codec, options);
  }

  /** Stops: the running expansion ends at its next step (nothing it did is visible), queued ones are dropped. */
  async close(): Promise<void> {
    this.#closing.abort();
    // A catch-up still listing the index stops before the index closes.
    await this.#background;
    await this.#tail;
    await this.#thread?.close();
  }
}
