import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  DB_BLOBS,
  DB_CHUNKS,
  DB_META,
  DB_INGESTS,
  DB_LEASES,
  DB_EXPANSION_MARKS,
  DB_LEASE_RESOURCES,
  leaseResourceKey,
  INDEX_FILE,
  KEY_COUNTERS,
  KEY_DURABLE,
  type ChunkEntry,
  type Counters,
  decodeChunkEntry,
  emptyCounters,
  encodeChunkEntry,
} from './layout.ts';
import type { DurablePoint } from './pack-writer.ts';
import { StrataError } from '@strata/errors';
import { decodeRecipe, RecipeKind, recipeChunkRefs, usesChunks, type Recipe } from './recipe.ts';

/** Everything one blob commit changes, applied in one transaction. */
export interface BlobCommit {
  digest: string;
  recipe: Buffer;
  size: number;
  chunks: readonly CommitChunk[];
  durable: DurablePoint;
  /** A write checkpoint to drop in the same transaction. */
  clearIngest?: string;
  /** A lease the blob is added to. */
  lease?: string;
  /** Only settle the lease and checkpoint of a blob that exists; `created` true means it does not. */
  existingOnly?: boolean;
}

/** A recipe replaced by another of the same content (layer expansion). */
export interface RecipeSwap {
  digest: string;
  expected: Buffer;
  recipe: Buffer;
  chunks: readonly CommitChunk[];
  durable: DurablePoint;
}

/** A write in progress, saved when its writer is closed so it can resume after a restart. */
export interface IngestCheckpoint {
  expected: { digest?: string; size?: number };
  startedAt: number;
  offset: number;
  /** Encoded chunk list (recipe.ts chunked body) of the chunks cut so far. */
  chunks: Buffer;
  /** Where chunks that no recipe indexes yet lie. */
  located: { digest: Buffer; location: Omit<ChunkEntry, 'refs'> }[];
  /** Bytes after the last cut, not yet a chunk. */
  tail: Buffer;
  lease?: string;
}

export interface LeaseRecord {
  createdAt: number;
  expiresAt: number;
  labels: Record<string, string>;
}

/** A chunk a commit needs: its digest, how often the recipe uses it, and where it lies if the index lacks it. */
export interface CommitChunk {
  digest: Buffer;
  uses: number;
  location: Omit<ChunkEntry, 'refs'> | undefined;
}

/**
 * The engine's metadata: chunk locations and refcounts, blob recipes and
 * counters. Each mutation is one atomic, durable transaction. Reads are
 * asynchronous so that the index may live in another process (PostgreSQL);
 * a read started after a mutation resolved sees it. LMDB is the embedded
 * implementation (its reads are memory-mapped and answer at once).
 */
/**
 * Why a blob's expansion left it as it was, and by which expander version:
 * a store retries a blob only under a different version (a newer codec or
 * model may reproduce it).
 */
export interface ExpansionMark {
  version: string;
  outcome: 'plain' | 'skipped';
  reason: string;
  triedAt: number;
}

export interface EngineIndex {
  getChunk(digest: Uint8Array): Promise<ChunkEntry | undefined>;
  /** Entries of many chunks in one lookup, in the order asked. */
  getChunks(digests: readonly Uint8Array[]): Promise<(ChunkEntry | undefined)[]>;
  hasChunk(digest: Uint8Array): Promise<boolean>;
  /** Which of many chunks the index holds, in the order asked. */
  hasChunks(digests: readonly Uint8Array[]): Promise<boolean[]>;
  getRecipe(digest: string): Promise<Buffer | undefined>;
  /**
   * Adds a blob and takes references on its chunks, all or nothing. When the
   * blob is already there nothing changes and `created` is false. A chunk
   * the index lacks must come with its location.
   */
  commitBlob(commit: BlobCommit): Promise<{ created: boolean }>;
  /** Indexes chunks no recipe uses yet (as garbage), optionally under a lease. */
  addChunks(chunks: readonly { digest: Buffer; location: Omit<ChunkEntry, 'refs'> }[], durable: DurablePoint, lease?: string): Promise<void>;
  getIngest(ref: string): Promise<IngestCheckpoint | undefined>;
  putIngest(ref: string, checkpoint: IngestCheckpoint, durable: DurablePoint): Promise<void>;
  deleteIngest(ref: string): Promise<void>;
  ingests(): AsyncIterable<{ ref: string; checkpoint: IngestCheckpoint }>;
  getLease(id: string): Promise<LeaseRecord | undefined>;
  /** Creates a lease; false when the id is taken. */
  createLease(id: string, lease: LeaseRecord): Promise<boolean>;
  /** Removes a lease and what it holds; false when absent. */
  deleteLease(id: string): Promise<boolean>;
  leases(): AsyncIterable<{ id: string; lease: LeaseRecord }>;
  /** What a lease protects, as `blob:<digest>` and `chunk:<hex>` strings. */
  leaseResources(id: string): AsyncIterable<string>;
  /**
   * Removes the given chunks in one transaction, each only if it still has
   * no reference and `keep` does not claim it; `keep` and `onSweep` are
   * called together, synchronously, for each chunk inside the transaction
   * (after its row is locked, before it commits), so a pin taken before
   * `keep` runs saves the chunk and one taken after sees it being swept.
   * Returns the chunks removed.
   */
  sweepChunks(digests: readonly Buffer[], keep: (hex: string) => boolean, onSweep: (hex: string) => void): Promise<number>;
  /**
   * Points chunks and packed blobs at copies of their records, each only if
   * its entry still points at the record copied (`from`). Returns how many moved.
   */
  relocate(moves: Relocations, durable: DurablePoint): Promise<{ chunks: number; blobs: number }>;
  /** Forces every committed transaction to disk (including what a machine crash could otherwise lose). */
  syncToDisk(): Promise<void>;
  /**
   * Replaces a blob's recipe in one transaction, only if the index still
   * holds `expected` for it (byte for byte): takes references on the new
   * recipe's chunks (`chunks`, located like a commit's) and drops those of
   * the old one. False when the blob is gone or its recipe changed.
   */
  swapRecipe(swap: RecipeSwap): Promise<boolean>;
  /** Removes a blob (and its expansion mark) and drops its chunk references; false when absent. */
  deleteBlob(digest: string, durable: DurablePoint): Promise<boolean>;
  /** What the last expansion of each blob that stayed as it was found (see layer-expansion.ts), in the order asked. */
  getExpansionMarks(digests: readonly string[]): Promise<(ExpansionMark | undefined)[]>;
  /** Records an expansion outcome for a blob the index holds; nothing when the blob is gone. */
  putExpansionMark(digest: string, mark: ExpansionMark): Promise<void>;
  /** The furthest durable point of the packs any transaction recorded. */
  durablePoint(): Promise<DurablePoint | undefined>;
  /** Blobs in digest order (byte order), from `start` on. */
  blobs(start?: string): AsyncIterable<{ digest: string; recipe: Buffer }>;
  chunks(): AsyncIterable<{ digest: Buffer; entry: ChunkEntry }>;
  counters(): Promise<Counters>;
  /** Replaces everything with the given contents (index rebuild); `marks` of blobs not in `blobs` are dropped. */
  replaceAll(contents: {
    chunks: Iterable<{ digest: Buffer; entry: ChunkEntry }>;
    blobs: Iterable<{ digest: string; recipe: Buffer }>;
    counters: Counters;
    marks?: Iterable<{ digest: string; mark: ExpansionMark }>;
  }): Promise<void>;
  /** Bytes the index occupies on disk. */
  diskBytes(): Promise<number>;
  close(): Promise<void>;
}

/** Where compaction copied records to. */
export interface Relocations {
  chunks: { digest: Buffer; from: { packId: number; payloadOffset: number }; to: Omit<ChunkEntry, 'refs'> }[];
  /** Small blobs whose packed recipe moved: the index value pointing at the copy. */
  blobs: { digest: string; from: { packId: number; payloadOffset: number }; value: Buffer }[];
}

export class LmdbIndex implements EngineIndex {
  readonly #dir: string;
  readonly #root: RootDatabase;
  readonly #chunks: Database<Buffer, Buffer>;
  readonly #blobs: Database<Buffer, string>;
  readonly #meta: Database<Counters | DurablePoint, string>;
  readonly #ingests: Database<IngestCheckpoint, string>;
  readonly #leases: Database<LeaseRecord, string>;
  readonly #leaseResources: Database<boolean, string>;
  readonly #expansionMarks: Database<ExpansionMark, string>;

  private constructor(dir: string, root: RootDatabase) {
    this.#dir = dir;
    this.#root = root;
    this.#chunks = root.openDB<Buffer, Buffer>({ name: DB_CHUNKS, keyEncoding: 'binary', encoding: 'binary' });
    this.#blobs = root.openDB<Buffer, string>({ name: DB_BLOBS, encoding: 'binary' });
    this.#meta = root.openDB<Counters | DurablePoint, string>({ name: DB_META, encoding: 'msgpack' });
    this.#ingests = root.openDB<IngestCheckpoint, string>({ name: DB_INGESTS, encoding: 'msgpack' });
    this.#leases = root.openDB<LeaseRecord, string>({ name: DB_LEASES, encoding: 'msgpack' });
    this.#leaseResources = root.openDB<boolean, string>({ name: DB_LEASE_RESOURCES, encoding: 'msgpack' });
    this.#expansionMarks = root.openDB<ExpansionMark, string>({ name: DB_EXPANSION_MARKS, encoding: 'msgpack' });
  }

  // Group commit: mutations queue up while a transaction commits, and the
  // next transaction applies all of them, each still all-or-nothing with
  // respect to readers (they see none or all of a batch).
  #queue: { run: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  #flushing = false;

  #write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.#root.transaction(() => {
          for (const job of jobs) {
            try {
              outcomes.push({ ok: true, value: job.run() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        for (const job of jobs) job.reject(error);
        continue;
      }
      jobs.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
    }
    this.#flushing = false;
  }

  static async open(dir: string): Promise<LmdbIndex> {
    await mkdir(dir, { recursive: true });
    // Commits are written and synced, but the meta page is not synced with
    // each one: after a machine crash the index may end a few transactions
    // early, and opening the store replays those from the packs (replay.ts),
    // which are fsynced before every transaction. A process crash loses nothing.
    return new LmdbIndex(dir, open({ path: join(dir, INDEX_FILE), maxDbs: 8, compression: false, noMetaSync: true }));
  }

  // Reads answer from the memory map at once; the promises only fit the interface.

  async getChunk(digest: Uint8Array): Promise<ChunkEntry | undefined> {
    return this.#chunk(digest);
  }

  async getChunks(digests: readonly Uint8Array[]): Promise<(ChunkEntry | undefined)[]> {
    return digests.map((digest) => this.#chunk(digest));
  }

  async hasChunk(digest: Uint8Array): Promise<boolean> {
    return this.#chunks.doesExist(asBuffer(digest));
  }

  async hasChunks(digests: readonly Uint8Array[]): Promise<boolean[]> {
    return digests.map((digest) => this.#chunks.doesExist(asBuffer(digest)));
  }

  async getRecipe(digest: string): Promise<Buffer | undefined> {
    return this.#blobs.get(digest);
  }

  async counters(): Promise<Counters> {
    return this.#counters();
  }

  async durablePoint(): Promise<DurablePoint | undefined> {
    return this.#durablePoint();
  }

  #chunk(digest: Uint8Array): ChunkEntry | undefined {
    const bytes = this.#chunks.getBinary(asBuffer(digest));
    return bytes ? decodeChunkEntry(bytes) : undefined;
  }

  #counters(): Counters {
    return { ...emptyCounters(), ...(this.#meta.get(KEY_COUNTERS) as Counters | undefined) };
  }

  #durablePoint(): DurablePoint | undefined {
    return this.#meta.get(KEY_DURABLE) as DurablePoint | undefined;
  }

  // Inside a write transaction: moves the durable point forward, never back.
  #advanceDurable(point: DurablePoint): void {
    const current = this.#durablePoint();
    if (!current || point.packId > current.packId || (point.packId === current.packId && point.length > current.length)) {
      this.#meta.putSync(KEY_DURABLE, point);
    }
  }

  commitBlob({ digest, recipe, size, chunks, durable, clearIngest, lease, existingOnly }: BlobCommit): Promise<{ created: boolean }> {
    return this.#write(() => {
      if (existingOnly && !this.#blobs.doesExist(digest)) return { created: true };
      this.#advanceDurable(durable);
      if (clearIngest !== undefined) this.#ingests.removeSync(clearIngest);
      if (lease !== undefined) this.#holdInLease(lease, `blob:${digest}`);
      if (this.#blobs.doesExist(digest)) return { created: false };
      const counters = this.#counters();
      this.#takeRefs(chunks, counters);
      if (chunks.length === 0) counters.uniqueBytes += size;
      counters.blobs++;
      counters.logicalBytes += size;
      if (recipe.readUInt8(0) === RecipeKind.Expanded) {
        counters.expandedBlobs++;
        counters.expandedLogicalBytes += size;
      }
      this.#blobs.putSync(digest, recipe);
      this.#meta.putSync(KEY_COUNTERS, counters);
      return { created: true };
    });
  }

  // Inside a write transaction: one reference per use on each chunk, indexing those that come with a location.
  #takeRefs(chunks: readonly CommitChunk[], counters: Counters): void {
    for (const chunk of chunks) {
      const stored = this.#chunk(chunk.digest);
      let entry: ChunkEntry;
      if (stored) {
        entry = stored;
        if (entry.refs === 0) {
          counters.garbageChunks--;
          counters.garbageBytes -= entry.storedLength;
        }
      } else if (chunk.location) {
        entry = { ...chunk.location, refs: 0 };
      } else {
        // Writers pin the indexed chunks they rely on, so garbage collection cannot have removed it.
        throw new StrataError('Internal', `chunk ${chunk.digest.toString('hex')} is neither indexed nor located`);
      }
      if (entry.refs === 0) {
        counters.liveChunks++;
        counters.uniqueBytes += entry.rawLength;
      }
      entry.refs += chunk.uses;
      this.#chunks.putSync(chunk.digest, encodeChunkEntry(entry));
    }
  }

  // Inside a write transaction: drops the references a recipe holds (an inline or packed one holds its bytes instead).
  #dropRefs(recipe: Recipe, counters: Counters): void {
    if (!usesChunks(recipe)) {
      counters.uniqueBytes -= recipe.size;
      return;
    }
    for (const [hex, uses] of countUses(recipeChunkRefs(recipe))) {
      const key = Buffer.from(hex, 'hex');
      const entry = this.#chunk(key);
      if (!entry) continue;
      entry.refs = Math.max(0, entry.refs - uses);
      if (entry.refs === 0) {
        counters.liveChunks--;
        counters.uniqueBytes -= entry.rawLength;
        counters.garbageChunks++;
        counters.garbageBytes += entry.storedLength;
      }
      this.#chunks.putSync(key, encodeChunkEntry(entry));
    }
  }

  swapRecipe({ digest, expected, recipe, chunks, durable }: RecipeSwap): Promise<boolean> {
    return this.#write(() => {
      this.#advanceDurable(durable);
      const current = this.#blobs.get(digest);
      if (!current || !current.equals(expected)) return false;
      const counters = this.#counters();
      // New references first: a chunk both recipes use never passes through refs = 0.
      this.#takeRefs(chunks, counters);
      const old = decodeRecipe(current);
      this.#dropRefs(old, counters);
      const next = decodeRecipe(recipe);
      if (!usesChunks(next)) counters.uniqueBytes += next.size;
      if (old.kind === RecipeKind.Expanded) {
        counters.expandedBlobs--;
        counters.expandedLogicalBytes -= old.size;
      }
      if (next.kind === RecipeKind.Expanded) {
        counters.expandedBlobs++;
        counters.expandedLogicalBytes += next.size;
      }
      this.#blobs.putSync(digest, recipe);
      this.#meta.putSync(KEY_COUNTERS, counters);
      return true;
    });
  }

  addChunks(
    chunks: readonly { digest: Buffer; location: Omit<ChunkEntry, 'refs'> }[],
    durable: DurablePoint,
    lease?: string,
  ): Promise<void> {
    return this.#write(() => {
      this.#advanceDurable(durable);
      const counters = this.#counters();
      for (const { digest, location } of chunks) {
        if (lease !== undefined) this.#holdInLease(lease, `chunk:${digest.toString('hex')}`);
        if (this.#chunks.doesExist(digest)) continue;
        this.#chunks.putSync(digest, encodeChunkEntry({ ...location, refs: 0 }));
        counters.garbageChunks++;
        counters.garbageBytes += location.storedLength;
      }
      this.#meta.putSync(KEY_COUNTERS, counters);
    });
  }

  // Inside a write transaction. Callers check that the lease exists first (a
  // throw here would abort other writes batched into the same transaction);
  // a lease released meanwhile just holds nothing.
  #holdInLease(lease: string, resource: string): void {
    if (this.#leases.doesExist(lease)) this.#leaseResources.putSync(leaseResourceKey(lease, resource), true);
  }

  async getIngest(ref: string): Promise<IngestCheckpoint | undefined> {
    return this.#ingests.get(ref);
  }

  putIngest(ref: string, checkpoint: IngestCheckpoint, durable: DurablePoint): Promise<void> {
    return this.#write(() => {
      this.#advanceDurable(durable);
      this.#ingests.putSync(ref, checkpoint);
    });
  }

  async deleteIngest(ref: string): Promise<void> {
    await this.#ingests.remove(ref);
  }

  async *ingests(): AsyncIterable<{ ref: string; checkpoint: IngestCheckpoint }> {
    for (const { key, value } of this.#ingests.getRange({})) yield { ref: key, checkpoint: value };
  }

  async getLease(id: string): Promise<LeaseRecord | undefined> {
    return this.#leases.get(id);
  }

  createLease(id: string, lease: LeaseRecord): Promise<boolean> {
    return this.#write(() => {
      if (this.#leases.doesExist(id)) return false;
      this.#leases.putSync(id, lease);
      return true;
    });
  }

  deleteLease(id: string): Promise<boolean> {
    return this.#write(() => {
      if (!this.#leases.doesExist(id)) return false;
      for (const key of this.#leaseResources.getKeys(leaseResourceRange(id))) this.#leaseResources.removeSync(key);
      this.#leases.removeSync(id);
      return true;
    });
  }

  async *leases(): AsyncIterable<{ id: string; lease: LeaseRecord }> {
    for (const { key, value } of this.#leases.getRange({})) yield { id: key, lease: value };
  }

  async *leaseResources(id: string): AsyncIterable<string> {
    const prefix = leaseResourceKey(id, '');
    for (const key of this.#leaseResources.getKeys(leaseResourceRange(id)) as Iterable<string | string[]>) {
      yield Array.isArray(key) ? key.slice(1).join('\u0000') : key.slice(prefix.length);
    }
  }

  deleteBlob(digest: string, durable: DurablePoint): Promise<boolean> {
    return this.#write(() => {
      this.#advanceDurable(durable);
      const bytes = this.#blobs.get(digest);
      if (!bytes) return false;
      const recipe = decodeRecipe(bytes);
      const counters = this.#counters();
      this.#dropRefs(recipe, counters);
      if (recipe.kind === RecipeKind.Expanded) {
        counters.expandedBlobs--;
        counters.expandedLogicalBytes -= recipe.size;
      }
      counters.blobs--;
      counters.logicalBytes -= recipe.size;
      this.#blobs.removeSync(digest);
      this.#expansionMarks.removeSync(digest);
      this.#meta.putSync(KEY_COUNTERS, counters);
      return true;
    });
  }

  async getExpansionMarks(digests: readonly string[]): Promise<(ExpansionMark | undefined)[]> {
    return digests.map((digest) => this.#expansionMarks.get(digest));
  }

  putExpansionMark(digest: string, mark: ExpansionMark): Promise<void> {
    return this.#write(() => {
      if (this.#blobs.doesExist(digest)) this.#expansionMarks.putSync(digest, mark);
    });
  }

  sweepChunks(digests: readonly Buffer[], keep: (hex: string) => boolean, onSweep: (hex: string) => void): Promise<number> {
    return this.#write(() => {
      const counters = this.#counters();
      let swept = 0;
      for (const digest of digests) {
        const entry = this.#chunk(digest);
        const hex = digest.toString('hex');
        if (!entry || entry.refs > 0 || keep(hex)) continue;
        this.#chunks.removeSync(digest);
        counters.garbageChunks--;
        counters.garbageBytes -= entry.storedLength;
        onSweep(hex);
        swept++;
      }
      if (swept > 0) this.#meta.putSync(KEY_COUNTERS, counters);
      return swept;
    });
  }

  relocate(moves: Relocations, durable: DurablePoint): Promise<{ chunks: number; blobs: number }> {
    return this.#write(() => {
      this.#advanceDurable(durable);
      let chunks = 0;
      let blobs = 0;
      for (const { digest, from, to } of moves.chunks) {
        const entry = this.#chunk(digest);
        if (!entry || entry.packId !== from.packId || entry.payloadOffset !== from.payloadOffset) continue;
        this.#chunks.putSync(digest, encodeChunkEntry({ ...to, refs: entry.refs }));
        chunks++;
      }
      for (const { digest, from, value } of moves.blobs) {
        const bytes = this.#blobs.get(digest);
        if (!bytes) continue;
        const recipe = decodeRecipe(bytes);
        if (recipe.kind !== RecipeKind.Packed || recipe.ref.packId !== from.packId || recipe.ref.payloadOffset !== from.payloadOffset) continue;
        this.#blobs.putSync(digest, value);
        blobs++;
      }
      return { chunks, blobs };
    });
  }

  syncToDisk(): Promise<void> {
    // lmdb-js has env.sync (mdb_env_sync, forced) but does not declare it.
    const root = this.#root as unknown as { sync(callback: (error: unknown) => void): void };
    return new Promise((resolve, reject) => {
      root.sync((error) => (error ? reject(error) : resolve()));
    });
  }

  async *blobs(start?: string): AsyncIterable<{ digest: string; recipe: Buffer }> {
    for await (const { key, value } of pagedRange(this.#blobs, start)) yield { digest: key, recipe: value };
  }

  async *chunks(): AsyncIterable<{ digest: Buffer; entry: ChunkEntry }> {
    for await (const { key, value } of pagedRange(this.#chunks, undefined)) yield { digest: key, entry: decodeChunkEntry(value) };
  }

  async replaceAll(contents: {
    chunks: Iterable<{ digest: Buffer; entry: ChunkEntry }>;
    blobs: Iterable<{ digest: string; recipe: Buffer }>;
    counters: Counters;
    marks?: Iterable<{ digest: string; mark: ExpansionMark }>;
  }): Promise<void> {
    await this.#root.transaction(() => {
      this.#chunks.clearSync();
      this.#blobs.clearSync();
      this.#expansionMarks.clearSync();
      for (const { digest, entry } of contents.chunks) this.#chunks.putSync(digest, encodeChunkEntry(entry));
      for (const { digest, recipe } of contents.blobs) this.#blobs.putSync(digest, recipe);
      for (const { digest, mark } of contents.marks ?? []) if (this.#blobs.doesExist(digest)) this.#expansionMarks.putSync(digest, mark);
      this.#meta.putSync(KEY_COUNTERS, contents.counters);
    });
  }

  async diskBytes(): Promise<number> {
    const data = await stat(join(this.#dir, INDEX_FILE));
    return Math.min(data.size, data.blocks * 512);
  }

  async close(): Promise<void> {
    await this.#root.close();
  }
}

// Entries read per snapshot by a listing.
const LISTING_PAGE = 1000;

/**
 * A database's entries in key order, read a page at a time. A caller may
 * take long between entries (expanding each blob, say); one read
 * transaction held that long would keep LMDB from reusing the pages every
 * write meanwhile frees, and the index file would only grow. Entries
 * changed between pages are seen as they are when their page is read.
 */
async function* pagedRange<K extends string | Buffer, V>(db: Database<V, K>, start: K | undefined): AsyncGenerator<{ key: K; value: V }> {
  let from = start;
  let after: K | undefined;
  for (;;) {
    const page = [...db.getRange({ ...(from === undefined ? {} : { start: from }), limit: LISTING_PAGE + 1 })];
    const entries = after === undefined ? page : page.filter(({ key }) => !sameKey(key, after!));
    for (const entry of entries.slice(0, LISTING_PAGE)) yield entry;
    if (page.length <= LISTING_PAGE) return;
    after = entries[Math.min(entries.length, LISTING_PAGE) - 1]!.key;
    from = after;
  }
}

function sameKey(a: string | Buffer, b: string | Buffer): boolean {
  return typeof a === 'string' ? a === b : Buffer.isBuffer(b) && a.equals(b);
}

/** How many times a recipe uses each distinct chunk (hex digest → count). */
export function countUses(chunks: Iterable<{ digest: Buffer }>): Map<string, number> {
  const uses = new Map<string, number>();
  for (const { digest } of chunks) {
    const hex = digest.toString('hex');
    uses.set(hex, (uses.get(hex) ?? 0) + 1);
  }
  return uses;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function leaseResourceRange(id: string): { start: string; end: string } {
  // lmdb's ordered-binary key encoding reads "<id>\0<resource>" as the array [id, resource]
  // (NUL separates array elements) and compares ranges in that form.
  return { start: [id], end: [id, '\uffff'] } as unknown as { start: string; end: string };
}
