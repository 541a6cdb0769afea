import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { canonicalDigest } from '@strata/digest';
import { StrataError } from '@strata/errors';
import type { ChunkerOptions } from '@strata/chunker';
import { CompressPool } from './compress-pool.ts';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { chunkDigest } from './chunk-codec.ts';
import { commitRecipe, putChunks, readChunks, readStoredChunks, recipeOf, type StoredChunk } from './chunk-transfer.ts';
import type {
  BlobRecipe,
  ChunkData,
  ChunkingParams,
  ChunkTransfer,
  CommitResult,
  LeaseInfo,
  LeaseManager,
  BlobRead,
  BlobStat,
  ContentStore,
  FsckOptions,
  FsckReport,
  GcOptions,
  GcReport,
  IngestStatus,
  ReadOptions,
  StoreAdmin,
  StoreStats,
  WriterOptions,
} from './content-store.ts';
import type { EngineCore, EngineSettings } from './engine-core.ts';
import { runFsck } from './fsck.ts';
import type { IngestCheckpoint, LeaseRecord } from './index-db.ts';
import { openIndex } from './index-selection.ts';
import { EngineWriter, Ingest } from './ingest.ts';
import { HotCache } from './hot-cache.ts';
import { cacheDir, lockFile } from './layout.ts';
import { Codec, RecordType } from './pack-format.ts';
import { scanPack, type PackScan } from './pack-scan.ts';
import type { PackStore } from './pack-store.ts';
import { openPackStore, parsePackLocation, type PackLocation } from './pack-location.ts';
import { PackWriter, sealPack, type DurablePoint } from './pack-writer.ts';
import { PendingChunks } from './pending-chunks.ts';
import { RebuildThreads } from './rebuild-threads.ts';
import { BlobLocks } from './blob-locks.ts';
import { ChunkPins } from './chunk-pins.ts';
import { collectGarbage } from './garbage-collection.ts';
import { UnindexedAppends } from './unindexed-appends.ts';
import { readRecipe, withSignal } from './read-path.ts';
import { replayPackTail, type ReplayReport } from './replay.ts';
import { decodeRecipe, RecipeKind, type Recipe } from './recipe.ts';
import { rebuildIndex, type RebuildReport } from './rebuild-index.ts';
import { StoreLock } from './store-lock.ts';
import { DEFAULT_EXPAND_MAX_BYTES, DEFAULT_EXPAND_ZSTD_LEVEL, ExpansionQueue, type CatchUpOptions, type CatchUpReport, type ExpansionResult } from './layer-expansion.ts';
import { loadOrCreateFormat } from './store-format.ts';

export interface EngineOptions {
  /** Chunking of a new store (an existing store keeps the one it was created with). */
  chunker?: Partial<ChunkerOptions>;
  /** zstd level of a new store; 3 by default. */
  zstdLevel?: number;
  /** Blobs up to this size are stored inline in their recipe; 16 KiB by default. */
  inlineMaxBytes?: number;
  /** Packs are sealed at this size; 32 MiB by default. */
  targetPackBytes?: number;
  /** Compression threads; the number of cores by default, 0 compresses on the calling thread. */
  compressThreads?: number;
  /** Bytes of materialized hot blobs kept in `DIR/cache`; 2 GiB by default, 0 turns the cache off. */
  hotCacheBytes?: number;
  /**
   * Also copy blobs into the hot cache as they are ingested, not only when
   * they are read: for servers, whose clients usually pull what was just
   * pushed. Off by default (a one-off ingest would only fill the disk).
   */
  cacheIngests?: boolean;
  /**
   * Expand gzip and zstd layers after they are committed, in the background,
   * so layers dedup by their files (see FORMAT.md, expanded recipes). Off by
   * default; `expandBlob` works either way.
   */
  expandLayers?: boolean;
  /**
   * Where packs are kept: the data directory (default), or an S3-compatible
   * bucket (`s3://BUCKET/PREFIX` or the object form). Fixed when the store
   * is created (recorded in the data directory).
   */
  packs?: PackLocation | string;
  /** Layers above this size are never expanded (it bounds an expansion's time and disk: expansion streams); 16 GiB by default. */
  expandMaxBytes?: number;
  /** Layers whose plaintext exceeds this stay as they are (found while streaming); 64 GiB by default. */
  expandMaxPlainBytes?: number;
  /** zstd level of the chunks layer expansion stores (in the background); 15 by default. */
  expandZstdLevel?: number;
  /**
   * Where the index (chunks, recipes, refcounts, leases, saved writes) is:
   * LMDB in the data directory by default, or PostgreSQL given
   * `postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]` (schema
   * `strata_cas` by default). Fixed when the store is created.
   */
  index?: string;
}

export const DEFAULT_HOT_CACHE_BYTES = 2 * 1024 * 1024 * 1024;

export const DEFAULT_TARGET_PACK_BYTES = 32 * 1024 * 1024;

/** What recovery found and did when the store was opened. */
export interface OpenReport {
  packs: number;
  /** Bytes cut from torn pack tails. */
  tornBytes: number;
  /** Packs sealed during recovery (left open by a crash). */
  sealedPacks: number[];
  /**
   * Open packs whose records are damaged where the index says they were
   * durable: left untouched (fsck reports what is lost) and no longer
   * appended to.
   */
  damagedPacks: number[];
  /** Records past the index's durable point, applied to the index again. */
  replay: ReplayReport;
}

/**
 * Opens (creating if needed) the CAS store in `dir`: takes the directory
 * lock, recovers packs a crash left open, and opens the index.
 */
export async function openStore(dir: string, options: EngineOptions = {}): Promise<Engine> {
  await mkdir(dir, { recursive: true });
  const lock = await StoreLock.acquire(lockFile(dir));
  const opened: { close(): Promise<void> }[] = [];
  try {
    const settingsRequest: Partial<EngineSettings> = {};
    if (options.chunker) settingsRequest.chunker = options.chunker as ChunkerOptions;
    if (options.zstdLevel !== undefined) settingsRequest.zstdLevel = options.zstdLevel;
    const expandLevel = options.expandZstdLevel;
    if (expandLevel !== undefined && !(Number.isInteger(expandLevel) && expandLevel >= -7 && expandLevel <= 22)) {
      throw new StrataError('InvalidArgument', `expandZstdLevel must be an integer from -7 to 22, not ${expandLevel}`);
    }
    if (options.inlineMaxBytes !== undefined) settingsRequest.inlineMaxBytes = options.inlineMaxBytes;
    const settings = await loadOrCreateFormat(dir, settingsRequest);
    const packs = await openPackStore(dir, typeof options.packs === 'string' ? parsePackLocation(options.packs) : options.packs);
    opened.push(packs);
    const index = await openIndex(dir, options.index, packs);
    opened.push(index);
    const { openPack, nextPackId, report: recovered } = await recoverPacks(packs, await index.durablePoint());
    const usable = (await packs.list()).filter((packId) => !recovered.damagedPacks.includes(packId));
    const report: OpenReport = { ...recovered, replay: await replayPackTail(packs, index, usable) };
    const packWriter = await PackWriter.open(
      packs,
      { targetPackBytes: options.targetPackBytes ?? DEFAULT_TARGET_PACK_BYTES },
      openPack,
      nextPackId,
    );
    const hotCache = await HotCache.open(cacheDir(dir), options.hotCacheBytes ?? DEFAULT_HOT_CACHE_BYTES);
    const pool = new CompressPool(settings.zstdLevel, options.compressThreads);
    let expansion: ExpansionQueue | undefined;
    const core: EngineCore = {
      index,
      packs,
      packWriter,
      pool,
      rebuilds: new RebuildThreads(options.compressThreads ?? availableParallelism()),
      pending: new PendingChunks(),
      pins: new ChunkPins(),
      blobLocks: new BlobLocks(),
      unindexed: new UnindexedAppends(),
      settings,
      hotCache,
      cacheIngests: options.cacheIngests === true,
      afterCommit: options.expandLayers === true ? (digest) => expansion?.offer(digest) : undefined,
    };
    expansion = new ExpansionQueue(core, {
      maxBytes: options.expandMaxBytes ?? DEFAULT_EXPAND_MAX_BYTES,
      ...(options.expandMaxPlainBytes === undefined ? {} : { maxPlainBytes: options.expandMaxPlainBytes }),
      zstdLevel: options.expandZstdLevel ?? DEFAULT_EXPAND_ZSTD_LEVEL,
      useWorker: options.compressThreads !== 0,
    });
    // Layers committed while expansion was off, or queued when the store last closed, are expanded now.
    if (options.expandLayers === true) expansion.startCatchUp();
    return new Engine(dir, core, lock, report, expansion);
  } catch (error) {
    for (const part of opened.reverse()) await part.close().catch(() => {});
    await lock.release();
    throw error;
  }
}

/**
 * Finds the packs a crash left open. The newest open pack has its torn tail
 * cut and is appended to again; an older one (a crash between sealing and
 * opening the next) is sealed. Bytes the index recorded as durable are
 * never cut: invalid records there are damage, not a torn tail, and the
 * pack is left as it is for fsck to report.
 */
async function recoverPacks(
  packs: PackStore,
  durable: DurablePoint | undefined,
): Promise<{
  openPack: { packId: number; length: number; records: PackScan['records'] } | undefined;
  nextPackId: number;
  report: Omit<OpenReport, 'replay'>;
}> {
  const ids = await packs.list();
  const report: Omit<OpenReport, 'replay'> = { packs: ids.length, tornBytes: 0, sealedPacks: [], damagedPacks: [] };
  let openPack: { packId: number; length: number; records: PackScan['records'] } | undefined;
  let nextPackId = (ids.at(-1) ?? 0) + 1;
  // Only sealed packs are published, and the store drops a staged open pack: nothing is open, nothing
  // is torn. Ids never go back below the durable point, where replay would skip a new pack.
  if (packs.durableOnSeal) return { openPack, nextPackId: Math.max(nextPackId, (durable?.packId ?? 0) + 1), report };
  for (const packId of ids) {
    const scan = await scanPack(packs, packId);
    if (scan.sealed) continue;
    const newest = packId === ids.at(-1);
    const torn = scan.fileLength - scan.validLength;
    const durableLength = durable?.packId === packId ? durable.length : durable && durable.packId > packId ? Infinity : 0;
    if (scan.validLength < Math.min(durableLength, scan.fileLength)) {
      report.damagedPacks.push(packId);
    } else if (scan.validLength === 0) {
      // Created but its header never reached the disk: nothing in it.
      await packs.remove(packId);
      if (newest) nextPackId = packId;
    } else if (newest) {
      report.tornBytes += torn;
      openPack = { packId, length: scan.validLength, records: scan.records };
    } else {
      report.tornBytes += torn;
      await sealPack(packs, packId, scan.validLength, scan.records);
      report.sealedPacks.push(packId);
    }
  }
  return { openPack, nextPackId, report };
}

/** The in-process engine: a ContentStore over packs and an LMDB index. */
export class Engine implements ContentStore, StoreAdmin, ChunkTransfer, LeaseManager {
  readonly dir: string;
  readonly openReport: OpenReport;
  readonly #core: EngineCore;
  readonly #lock: StoreLock;
  readonly #ingests = new Map<string, Ingest>();
  #closed: Promise<void> | undefined;

  readonly #hotCache: HotCache;
  readonly #expansion: ExpansionQueue;

  constructor(dir: string, core: EngineCore, lock: StoreLock, report: OpenReport, expansion: ExpansionQueue) {
    this.dir = dir;
    this.#core = core;
    this.#lock = lock;
    this.openReport = report;
    this.#hotCache = core.hotCache;
    this.#expansion = expansion;
  }

  /**
   * Expands a stored gzip or zstd layer now (after expansions already
   * queued), whether or not the store expands layers by itself. The blob
   * reads the same before and after. NotFound when absent.
   */
  async expandBlob(digest: string): Promise<ExpansionResult> {
    const found = await this.#recipe(digest);
    return this.#expansion.expand(found.digest);
  }

  /**
   * Expands every stored gzip or zstd layer no expansion has tried yet
   * (with `retry`, also those earlier tries left as they were), or the
   * blobs `digests` names, one at a time, and reports what became of them.
   * The chunks of the compressed form become garbage for `collectGarbage`.
   */
  async expandPending(options: CatchUpOptions = {}): Promise<CatchUpReport> {
    this.#checkOpen();
    return this.#expansion.catchUp(options);
  }

  /** Resolves once the expansions queued so far (by commits or expandBlob) have ended. */
  async expansionIdle(): Promise<void> {
    this.#checkOpen();
    await this.#expansion.idle();
  }

  /** Where the packs are kept (S3PackStore counts its requests). */
  get packStore(): PackStore {
    return this.#core.packs;
  }

  get settings(): EngineSettings {
    return this.#core.settings;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('Unavailable', 'store is closed');
  }

  async #recipe(digest: string): Promise<{ digest: string; recipe: Recipe }> {
    this.#checkOpen();
    const canonical = canonicalDigest(digest);
    const bytes = await this.#core.index.getRecipe(canonical);
    if (!bytes) throw new StrataError('NotFound', `blob ${canonical} not found`, { details: { digest: canonical } });
    return { digest: canonical, recipe: decodeRecipe(bytes) };
  }

  async read(digest: string, options: ReadOptions = {}): Promise<BlobRead> {
    const found = await this.#recipe(digest);
    const { size } = found.recipe;
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new StrataError('InvalidArgument', `invalid offset ${offset}`);
    if (options.length !== undefined && (!Number.isSafeInteger(options.length) || options.length < 0)) {
      throw new StrataError('InvalidArgument', `invalid length ${options.length}`);
    }
    if (offset > size) {
      throw new StrataError('OutOfRange', `offset ${offset} is past the end of ${found.digest} (${size} bytes)`, {
        details: { size },
      });
    }
    const length = Math.min(options.length ?? size - offset, size - offset);
    options.signal?.throwIfAborted();
    return { stat: statOf(found.digest, found.recipe), offset, length, body: this.#body(found, offset, length, options.signal) };
  }

  // Hot blobs come from the cache; a whole read of a blob worth caching fills it.
  #body(found: { digest: string; recipe: Recipe }, offset: number, length: number, signal: AbortSignal | undefined): Readable {
    const { digest, recipe } = found;
    const cache = this.#hotCache;
    // Expanded layers are rebuilt by re-encoding: a cached copy serves repeated pulls at file speed.
    const chunked = recipe.kind === RecipeKind.Chunked || recipe.kind === RecipeKind.Expanded;
    let body = chunked ? cache.read(digest, recipe.size, offset, length) : undefined;
    if (!body) {
      body = readRecipe(this.#core, digest, recipe, offset, length);
      const rebuilt = recipe.kind === RecipeKind.Expanded;
      if (chunked && offset === 0 && length === recipe.size && cache.wants(recipe.size, rebuilt)) body = cache.capture(digest, recipe.size, body);
    }
    return withSignal(body, signal);
  }

  async stat(digest: string): Promise<BlobStat> {
    const found = await this.#recipe(digest);
    return statOf(found.digest, found.recipe);
  }

  async findMissing(digests: readonly string[]): Promise<string[]> {
    this.#checkOpen();
    const { index } = this.#core;
    const present = await Promise.all(digests.map(async (digest) => (await index.getRecipe(canonicalDigest(digest))) !== undefined));
    return digests.filter((_, i) => !present[i]);
  }

  async writer(ref: string, options: WriterOptions = {}): Promise<EngineWriter> {
    this.#checkOpen();
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512) {
      throw new StrataError('InvalidArgument', 'a write ref is a non-empty string of at most 512 characters');
    }
    if (options.lease !== undefined) await this.#checkLease(options.lease);
    // Looked up after the lease check, whose await lets another writer take the ref.
    let ingest = this.#ingests.get(ref);
    if (ingest?.ended) ingest = undefined;
    if (ingest && ingest.heldSince !== undefined) {
      const heldForMs = Date.now() - ingest.heldSince;
      throw new StrataError('Unavailable', `ref ${ref} is held by another writer (for ${heldForMs} ms)`, {
        details: { ref, heldForMs },
      });
    }
    if (!ingest) {
      const saved = await this.#core.index.getIngest(ref);
      ingest = saved
        ? await Ingest.restore(this.#core, ref, saved)
        : new Ingest(this.#core, ref, options.expected ?? {}, options.lease);
      // Another writer(ref) may have raced this one through the restore.
      const raced = this.#ingests.get(ref);
      if (raced && !raced.ended) {
        throw new StrataError('Unavailable', `ref ${ref} is held by another writer (for 0 ms)`, { details: { ref, heldForMs: 0 } });
      }
      this.#ingests.set(ref, ingest);
    }
    ingest.heldSince = Date.now();
    return new EngineWriter(ingest, (released) => {
      released.heldSince = undefined;
      if (released.ended && this.#ingests.get(released.ref) === released) this.#ingests.delete(released.ref);
    });
  }

  async status(ref: string): Promise<IngestStatus> {
    this.#checkOpen();
    const ingest = this.#ingests.get(ref);
    if (ingest && !ingest.ended) return ingest.status();
    const saved = await this.#core.index.getIngest(ref);
    if (!saved) throw new StrataError('NotFound', `no write in progress under ref ${ref}`);
    return savedStatus(ref, saved);
  }

  async listIngests(): Promise<IngestStatus[]> {
    this.#checkOpen();
    const statuses = new Map<string, IngestStatus>();
    for await (const { ref, checkpoint } of this.#core.index.ingests()) statuses.set(ref, savedStatus(ref, checkpoint));
    for (const ingest of this.#ingests.values()) if (!ingest.ended) statuses.set(ingest.ref, ingest.status());
    return [...statuses.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  }

  async abortIngest(ref: string): Promise<void> {
    this.#checkOpen();
    const ingest = this.#ingests.get(ref);
    if (ingest) {
      await ingest.abort();
      if (ingest.heldSince === undefined) this.#ingests.delete(ref);
    }
    if (await this.#core.index.getIngest(ref)) await this.#core.index.deleteIngest(ref);
  }

  async #checkLease(id: string): Promise<void> {
    const lease = await this.#core.index.getLease(id);
    if (!lease || lease.expiresAt <= Date.now()) throw new StrataError('NotFound', `lease ${id} not found`);
  }

  async chunking(): Promise<ChunkingParams> {
    this.#checkOpen();
    const { minSize, avgSize, maxSize } = this.#core.settings.chunker;
    return { minSize, avgSize, maxSize };
  }

  async getRecipe(digest: string): Promise<BlobRecipe> {
    this.#checkOpen();
    const canonical = canonicalDigest(digest);
    const bytes = await this.#core.index.getRecipe(canonical);
    if (!bytes) throw new StrataError('NotFound', `blob ${canonical} not found`, { details: { digest: canonical } });
    return recipeOf(this.#core, canonical, bytes);
  }

  async findMissingChunks(digests: readonly string[]): Promise<string[]> {
    this.#checkOpen();
    const present = await this.#core.index.hasChunks(digests.map(chunkDigest));
    return digests.filter((_, i) => !present[i]);
  }

  async putChunks(chunks: readonly ChunkData[], options: { lease?: string } = {}): Promise<string[]> {
    this.#checkOpen();
    if (options.lease !== undefined) await this.#checkLease(options.lease);
    return putChunks(this.#core, chunks, options.lease);
  }

  readChunks(digests: readonly string[], options: { signal?: AbortSignal } = {}): AsyncIterable<{ digest: string; data: Buffer }> {
    this.#checkOpen();
    return readChunks(this.#core, digests, options.signal);
  }

  /** readChunks, with compressed chunks as their stored zstd frames (for a reader that decodes them: ReadChunks with accept_zstd). */
  readStoredChunks(digests: readonly string[], options: { signal?: AbortSignal } = {}): AsyncIterable<StoredChunk> {
    this.#checkOpen();
    return readStoredChunks(this.#core, digests, options.signal);
  }

  async commitRecipe(
    expected: { digest: string; size: number },
    chunks: readonly { digest: string; length: number }[],
    options: { lease?: string } = {},
  ): Promise<CommitResult> {
    this.#checkOpen();
    if (options.lease !== undefined) await this.#checkLease(options.lease);
    return commitRecipe(this.#core, expected, chunks, options.lease);
  }

  async createLease(options: { id?: string; ttlMs?: number; labels?: Record<string, string> } = {}): Promise<LeaseInfo> {
    this.#checkOpen();
    const id = options.id ?? `lease-${randomUUID()}`;
    if (typeof id !== 'string' || id.length === 0 || id.length > 256 || id.includes('\u0000')) {
      throw new StrataError('InvalidArgument', 'a lease id is 1 to 256 characters without NUL');
    }
    const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new StrataError('InvalidArgument', `invalid lease ttl ${ttlMs}`);
    const now = Date.now();
    const record = { createdAt: now, expiresAt: now + ttlMs, labels: { ...options.labels } };
    await this.#dropExpiredLeases();
    if (!(await this.#core.index.createLease(id, record))) {
      throw new StrataError('AlreadyExists', `lease ${id} exists`);
    }
    return leaseInfo(id, record);
  }

  async releaseLease(id: string): Promise<void> {
    this.#checkOpen();
    if (!(await this.#core.index.deleteLease(id))) throw new StrataError('NotFound', `lease ${id} not found`);
  }

  async listLeases(): Promise<LeaseInfo[]> {
    this.#checkOpen();
    await this.#dropExpiredLeases();
    const leases: LeaseInfo[] = [];
    for await (const { id, lease } of this.#core.index.leases()) leases.push(leaseInfo(id, lease));
    return leases;
  }

  async #dropExpiredLeases(): Promise<void> {
    const now = Date.now();
    const expired: string[] = [];
    for await (const { id, lease } of this.#core.index.leases()) if (lease.expiresAt <= now) expired.push(id);
    for (const id of expired) await this.#core.index.deleteLease(id);
  }

  async delete(digest: string): Promise<void> {
    const found = await this.#recipe(digest);
    const { packWriter, index, blobLocks } = this.#core;
    await blobLocks.withLocks([found.digest], async () => {
      // The tombstone reaches the packs first, so a rebuilt index does not bring the blob back.
      const key = Buffer.from(found.digest);
      await packWriter.append([{ type: RecordType.Tombstone, codec: Codec.None, key, rawLength: 0, payload: new Uint8Array() }]);
      const durable = await packWriter.sync();
      if (!(await index.deleteBlob(found.digest, durable))) {
        throw new StrataError('NotFound', `blob ${found.digest} not found`, { details: { digest: found.digest } });
      }
    });
    // After the index: a read that began before the delete and fills the cache is caught by remove.
    await this.#hotCache.remove(found.digest);
  }

  async *list(options: { signal?: AbortSignal } = {}): AsyncIterable<BlobStat> {
    this.#checkOpen();
    for await (const { digest, recipe } of this.#core.index.blobs()) {
      options.signal?.throwIfAborted();
      yield statOf(digest, decodeRecipe(recipe));
    }
  }

  async stats(): Promise<StoreStats> {
    this.#checkOpen();
    const { index, packs } = this.#core;
    const counters = await index.counters();
    const packIds = await packs.list();
    const storedBytes = (await packs.totalBytes()) + (await index.diskBytes());
    return {
      blobs: counters.blobs,
      chunks: counters.liveChunks,
      logicalBytes: counters.logicalBytes,
      uniqueBytes: counters.uniqueBytes,
      storedBytes,
      hotCacheBytes: this.#hotCache.bytes,
      dedupRatio: storedBytes === 0 || counters.logicalBytes === 0 ? 0 : counters.logicalBytes / storedBytes,
      garbageChunks: counters.garbageChunks,
      garbageBytes: counters.garbageBytes,
      packs: packIds.length,
      expandedBlobs: counters.expandedBlobs,
      expandedLogicalBytes: counters.expandedLogicalBytes,
    };
  }

  async fsck(options: FsckOptions = {}): Promise<FsckReport> {
    this.#checkOpen();
    return runFsck(this.#core, options);
  }

  /** Collections run one at a time; a second call waits for the first. */
  async collectGarbage(options: GcOptions = {}): Promise<GcReport> {
    this.#checkOpen();
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    const run = this.#gc.then(() => {
      this.#checkOpen();
      return collectGarbage(this.#core, { ...options, signal });
    });
    this.#gc = run.catch(() => {});
    return run;
  }

  #gc: Promise<unknown> = Promise.resolve();
  readonly #closing = new AbortController();

  /**
   * Rebuilds the index from the packs alone. Writes in progress are aborted
   * first; the store must not be used while it runs.
   */
  async rebuildIndex(options: FsckOptions = {}): Promise<RebuildReport> {
    this.#checkOpen();
    for (const ingest of this.#ingests.values()) await ingest.abort();
    this.#ingests.clear();
    await this.#core.packWriter.sync();
    return rebuildIndex(this.#core, options);
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      // A collection in progress stops at its next step; the step it is in finishes first.
      this.#closing.abort();
      await this.#gc;
      await this.#expansion.close();
      // Writes in progress are saved, not dropped: they resume when the store is opened again.
      for (const ingest of this.#ingests.values()) await ingest.checkpoint().catch(() => ingest.abort().catch(() => {}));
      this.#ingests.clear();
      const { packWriter, pool, packs, index } = this.#core;
      await packWriter.close().catch(() => {});
      await pool.close();
      await this.#core.rebuilds.close();
      await packs.close();
      await index.close();
      await this.#lock.release();
    })();
    return this.#closed;
  }
}

export const DEFAULT_LEASE_TTL_MS = 24 * 60 * 60 * 1000;

function savedStatus(ref: string, saved: IngestCheckpoint): IngestStatus {
  return {
    ref,
    offset: saved.offset,
    expected: { ...saved.expected },
    startedAt: new Date(saved.startedAt),
    updatedAt: new Date(saved.startedAt),
  };
}

function leaseInfo(id: string, lease: LeaseRecord): LeaseInfo {
  return { id, createdAt: new Date(lease.createdAt), expiresAt: new Date(lease.expiresAt), labels: { ...lease.labels } };
}

function statOf(digest: string, recipe: Recipe): BlobStat {
  return { digest, size: recipe.size, createdAt: new Date(recipe.createdAt) };
}

