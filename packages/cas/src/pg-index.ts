import pg from 'pg';
import { StrataError } from '@strata/errors';
import { bigintsAsNumbers, postgresError, redactPostgresUrl } from '@strata/postgres';
import type { BlobCommit, CommitChunk, EngineIndex, ExpansionMark, IngestCheckpoint, LeaseRecord, RecipeSwap, Relocations } from './index-db.ts';
import { countUses } from './index-db.ts';
import { emptyCounters, type ChunkEntry, type Counters } from './layout.ts';
import type { DurablePoint } from './pack-writer.ts';
import { advisoryKey, migrateIndex } from './pg-index-schema.ts';
import type { PgIndexLocation } from './pg-index-url.ts';
import { decodeRecipe, RecipeKind, recipeChunkRefs, usesChunks, type Recipe } from './recipe.ts';

// Rows per page when listing blobs or chunks, and per statement when loading a rebuilt index.
const PAGE_ROWS = 2000;

/** A PostgreSQL or socket failure as a StrataError, naming the operation; the server's text never holds the password. */
function indexError(operation: string, error: unknown): StrataError {
  return postgresError('engine index in PostgreSQL', operation, error);
}

interface ChunkRow {
  digest: Buffer;
  pack_id: number;
  payload_offset: number;
  stored_length: number;
  raw_length: number;
  codec: number;
  refs: number;
}

function entryOf(row: ChunkRow): ChunkEntry {
  return {
    packId: row.pack_id,
    payloadOffset: row.payload_offset,
    storedLength: row.stored_length,
    rawLength: row.raw_length,
    codec: row.codec,
    refs: row.refs,
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const COUNTER_COLUMNS: Record<keyof Counters, string> = {
  blobs: 'blobs',
  logicalBytes: 'logical_bytes',
  liveChunks: 'live_chunks',
  uniqueBytes: 'unique_bytes',
  garbageChunks: 'garbage_chunks',
  garbageBytes: 'garbage_bytes',
  expandedBlobs: 'expanded_blobs',
  expandedLogicalBytes: 'expanded_logical_bytes',
};
const COUNTER_KEYS = Object.keys(COUNTER_COLUMNS) as (keyof Counters)[];

/**
 * One mutation inside a write transaction: its statements, and the counter
 * changes and durable point it brings, applied once for the whole batch.
 */
class Mutation {
  readonly client: pg.ClientBase;
  readonly s: string;
  readonly delta: Counters = emptyCounters();
  durable: DurablePoint | undefined;

  constructor(client: pg.ClientBase, s: string) {
    this.client = client;
    this.s = s;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.client.query<R>(text, values);
  }

  advanceDurable(point: DurablePoint): void {
    const current = this.durable;
    if (!current || point.packId > current.packId || (point.packId === current.packId && point.length > current.length)) this.durable = point;
  }
}

interface Job {
  run: (mutation: Mutation) => Promise<unknown>;
  /** Runs in a transaction of its own (it sets counters outright). */
  alone: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The engine's index in PostgreSQL (pg-index-schema.ts draws the tables),
 * for stores whose metadata lives in a database rather than the data
 * directory. Guarantees are those of the LMDB index:
 *
 * - One engine owns an index at a time: it holds a session advisory lock
 *   (keyed by schema) on a dedicated connection for its whole life, and
 *   every mutation runs on that same connection. Should the connection
 *   die, the lock goes with it and the index refuses all further writes
 *   (Unavailable): another engine may own it by then.
 * - Each mutation is all or nothing. Mutations queued while a transaction
 *   commits are applied together in the next one (group commit), each in a
 *   savepoint of its own so that one failing leaves the others whole; a
 *   mutation resolves only after PostgreSQL committed it (durably, with
 *   the server's default synchronous_commit).
 * - Reads go through a pool of other connections and see what committed.
 */
export class PgEngineIndex implements EngineIndex {
  readonly #pool: pg.Pool;
  readonly #owner: pg.Client;
  readonly #schema: string;
  /** The quoted schema, prefixed to every table name. */
  readonly #s: string;
  #lost: StrataError | undefined;
  #closed = false;
  #queue: Job[] = [];
  #flushing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, owner: pg.Client, schema: string) {
    this.#pool = pool;
    this.#owner = owner;
    this.#schema = schema;
    this.#s = `"${schema}"`;
    const lose = (error?: unknown): void => {
      if (this.#closed) return;
      this.#lost ??= new StrataError('Unavailable', `engine index in PostgreSQL: the connection holding schema ${schema} was lost; this engine no longer owns the index and takes no writes`, {
        ...(error === undefined ? {} : { cause: error }),
        details: { schema },
      });
    };
    owner.on('error', lose);
    owner.on('end', () => lose());
  }

  /**
   * Connects, takes ownership of the schema (FailedPrecondition when another
   * engine holds it), and migrates it to this code's version.
   */
  static async open(location: PgIndexLocation, options: { maxConnections?: number } = {}): Promise<PgEngineIndex> {
    const { url, schema } = location;
    const owner = new pg.Client({ connectionString: url, types: bigintsAsNumbers, connectionTimeoutMillis: 30_000, application_name: `strata index owner ${schema}`.slice(0, 63) });
    // Until the index takes over, a dropped connection must not crash the process.
    const early = (): void => {};
    owner.on('error', early);
    try {
      await owner.connect();
    } catch (error) {
      throw indexError(`connect to ${redactPostgresUrl(url)}`, error);
    }
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 8, types: bigintsAsNumbers, connectionTimeoutMillis: 30_000 });
    // Idle pooled connections that break are replaced on the next query.
    pool.on('error', () => {});
    try {
      const { rows } = await owner.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [advisoryKey('owner', schema)]);
      if (!rows[0]?.locked) {
        throw new StrataError('FailedPrecondition', `the engine index in PostgreSQL schema ${schema} is in use by another engine (one engine owns an index at a time)`, {
          details: { schema },
        });
      }
      await migrateIndex(owner, schema);
    } catch (error) {
      await owner.end().catch(() => {});
      await pool.end().catch(() => {});
      throw indexError('open', error);
    }
    owner.off('error', early);
    return new PgEngineIndex(pool, owner, schema);
  }

  get schema(): string {
    return this.#schema;
  }

  /** The id of the data directory this index belongs to; undefined while unclaimed. */
  async storeId(): Promise<string | undefined> {
    const rows = await this.#read<{ store_id: string | null }>('storeId', `SELECT store_id FROM ${this.#s}.state`);
    return rows[0]?.store_id ?? undefined;
  }

  /** Records the data directory this index belongs to; false when it already belongs to one. */
  claim(storeId: string): Promise<boolean> {
    return this.#write(async (m) => (await m.query(`UPDATE ${this.#s}.state SET store_id = $1 WHERE store_id IS NULL`, [storeId])).rowCount === 1);
  }

  async #read<R extends pg.QueryResultRow>(operation: string, text: string, values?: unknown[]): Promise<R[]> {
    if (this.#closed) throw new StrataError('Unavailable', 'engine index is closed');
    try {
      return (await this.#pool.query<R>(text, values)).rows;
    } catch (error) {
      throw indexError(operation, error);
    }
  }

  #write<T>(run: (mutation: Mutation) => Promise<T>, alone = false): Promise<T> {
    if (this.#closed) return Promise.reject(new StrataError('Unavailable', 'engine index is closed'));
    if (this.#lost) return Promise.reject(this.#lost);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run, alone, resolve: resolve as (value: unknown) => void, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    try {
      // Never finishes in the call that starts it, so #write has stored the promise before it is cleared.
      await undefined;
      while (this.#queue.length > 0) {
        const first = this.#queue[0]!;
        const until = first.alone ? 1 : this.#queue.findIndex((job) => job.alone);
        const jobs = this.#queue.splice(0, until === -1 ? this.#queue.length : until);
        if (this.#lost) {
          for (const job of jobs) job.reject(this.#lost);
          continue;
        }
        await this.#commitBatch(jobs);
      }
    } finally {
      // Cleared in the same step that found the queue empty: a job queued by a
      // caller resumed by the last batch then starts a new flush instead of
      // waiting on this finished one.
      this.#flushing = undefined;
    }
  }

  async #commitBatch(jobs: Job[]): Promise<void> {
    const client = this.#owner;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const total = new Mutation(client, this.#s);
    // Alone, a mutation needs no savepoint: its failure is the transaction's.
    const savepoints = jobs.length > 1;
    try {
      await client.query('BEGIN');
      for (const job of jobs) {
        const mutation = new Mutation(client, this.#s);
        if (savepoints) await client.query('SAVEPOINT mutation');
        try {
          const value = await job.run(mutation);
          if (savepoints) await client.query('RELEASE SAVEPOINT mutation');
          for (const key of COUNTER_KEYS) total.delta[key] += mutation.delta[key];
          if (mutation.durable) total.advanceDurable(mutation.durable);
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (!savepoints) throw error;
          await client.query('ROLLBACK TO SAVEPOINT mutation');
          outcomes.push({ ok: false, error });
        }
      }
      await this.#applyState(total);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const failure = this.#lost ?? indexError('write', error);
      for (const job of jobs) job.reject(failure);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(indexError('write', outcome.error));
    });
  }

  // The batch's counter changes and durable point, in one statement; the point only moves forward.
  async #applyState(total: Mutation): Promise<void> {
    const changed = COUNTER_KEYS.filter((key) => total.delta[key] !== 0);
    if (changed.length === 0 && !total.durable) return;
    const sets = changed.map((key, i) => `${COUNTER_COLUMNS[key]} = ${COUNTER_COLUMNS[key]} + $${i + 1}`);
    const values: unknown[] = changed.map((key) => total.delta[key]);
    if (total.durable) {
      const pack = `$${values.length + 1}::bigint`;
      const length = `$${values.length + 2}::bigint`;
      const later = `(durable_pack_id IS NULL OR ${pack} > durable_pack_id OR (${pack} = durable_pack_id AND ${length} > durable_length))`;
      sets.push(`durable_pack_id = CASE WHEN ${later} THEN ${pack} ELSE durable_pack_id END`);
      sets.push(`durable_length = CASE WHEN ${later} THEN ${length} ELSE durable_length END`);
      values.push(total.durable.packId, total.durable.length);
    }
    await total.query(`UPDATE ${this.#s}.state SET ${sets.join(', ')}`, values);
  }

  async getChunk(digest: Uint8Array): Promise<ChunkEntry | undefined> {
    return (await this.getChunks([digest]))[0];
  }

  async getChunks(digests: readonly Uint8Array[]): Promise<(ChunkEntry | undefined)[]> {
    if (digests.length === 0) return [];
    const rows = await this.#read<ChunkRow>('getChunks', `SELECT * FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[])`, [digests.map(asBuffer)]);
    const found = new Map(rows.map((row) => [row.digest.toString('hex'), entryOf(row)]));
    return digests.map((digest) => found.get(asBuffer(digest).toString('hex')));
  }

  async hasChunk(digest: Uint8Array): Promise<boolean> {
    return (await this.hasChunks([digest]))[0]!;
  }

  async hasChunks(digests: readonly Uint8Array[]): Promise<boolean[]> {
    if (digests.length === 0) return [];
    const rows = await this.#read<{ digest: Buffer }>('hasChunks', `SELECT digest FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[])`, [digests.map(asBuffer)]);
    const found = new Set(rows.map((row) => row.digest.toString('hex')));
    return digests.map((digest) => found.has(asBuffer(digest).toString('hex')));
  }

  async getRecipe(digest: string): Promise<Buffer | undefined> {
    const rows = await this.#read<{ recipe: Buffer }>('getRecipe', `SELECT recipe FROM ${this.#s}.blobs WHERE digest = $1`, [digest]);
    return rows[0]?.recipe;
  }

  commitBlob({ digest, recipe, size, chunks, durable, clearIngest, lease, existingOnly }: BlobCommit): Promise<{ created: boolean }> {
    return this.#write(async (m) => {
      if (existingOnly && !(await this.#blobExists(m, digest))) return { created: true };
      m.advanceDurable(durable);
      if (clearIngest !== undefined) await m.query(`DELETE FROM ${this.#s}.ingests WHERE ref = $1`, [clearIngest]);
      if (lease !== undefined) await this.#holdInLease(m, lease, [`blob:${digest}`]);
      if (existingOnly) return { created: false };
      // Writers of the same content meet here: the first row wins, the others change nothing.
      const inserted = await m.query(`INSERT INTO ${this.#s}.blobs (digest, recipe) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING`, [digest, recipe]);
      if (inserted.rowCount !== 1) return { created: false };
      await this.#takeRefs(m, chunks);
      if (chunks.length === 0) m.delta.uniqueBytes += size;
      m.delta.blobs++;
      m.delta.logicalBytes += size;
      if (recipe.readUInt8(0) === RecipeKind.Expanded) {
        m.delta.expandedBlobs++;
        m.delta.expandedLogicalBytes += size;
      }
      return { created: true };
    });
  }

  async #blobExists(m: Mutation, digest: string): Promise<boolean> {
    return (await m.query(`SELECT 1 FROM ${this.#s}.blobs WHERE digest = $1`, [digest])).rowCount === 1;
  }

  // One reference per use on each chunk, indexing those that come with a location.
  async #takeRefs(m: Mutation, chunks: readonly CommitChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const merged = new Map<string, CommitChunk>();
    for (const chunk of chunks) {
      const hex = chunk.digest.toString('hex');
      const seen = merged.get(hex);
      merged.set(hex, seen ? { ...seen, uses: seen.uses + chunk.uses, location: seen.location ?? chunk.location } : chunk);
    }
    const wanted = [...merged.values()];
    const { rows } = await m.query<ChunkRow>(`SELECT * FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[]) FOR UPDATE`, [wanted.map((c) => c.digest)]);
    const stored = new Map(rows.map((row) => [row.digest.toString('hex'), entryOf(row)]));
    const entries = wanted.map((chunk) => {
      const hex = chunk.digest.toString('hex');
      let entry = stored.get(hex);
      if (entry) {
        if (entry.refs === 0) {
          m.delta.garbageChunks--;
          m.delta.garbageBytes -= entry.storedLength;
        }
      } else if (chunk.location) {
        entry = { ...chunk.location, refs: 0 };
      } else {
        // Writers pin the indexed chunks they rely on, so garbage collection cannot have removed it.
        throw new StrataError('Internal', `chunk ${hex} is neither indexed nor located`);
      }
      if (entry.refs === 0) {
        m.delta.liveChunks++;
        m.delta.uniqueBytes += entry.rawLength;
      }
      return { digest: chunk.digest, entry: { ...entry, refs: entry.refs + chunk.uses } };
    });
    await this.#putChunks(m, entries, 'refs');
  }

  // Writes chunk rows; on a digest already there, `update` says what changes: its refs, its location, or nothing.
  async #putChunks(m: Mutation, entries: readonly { digest: Buffer; entry: ChunkEntry }[], update: 'refs' | 'nothing'): Promise<number> {
    if (entries.length === 0) return 0;
    const onConflict = update === 'refs' ? 'DO UPDATE SET refs = EXCLUDED.refs' : 'DO NOTHING';
    const result = await m.query(
      `INSERT INTO ${this.#s}.chunks (digest, pack_id, payload_offset, stored_length, raw_length, codec, refs)
       SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::smallint[], $7::bigint[])
       ON CONFLICT (digest) ${onConflict}`,
      [
        entries.map(({ digest }) => digest),
        entries.map(({ entry }) => entry.packId),
        entries.map(({ entry }) => entry.payloadOffset),
        entries.map(({ entry }) => entry.storedLength),
        entries.map(({ entry }) => entry.rawLength),
        entries.map(({ entry }) => entry.codec),
        entries.map(({ entry }) => entry.refs),
      ],
    );
    return result.rowCount ?? 0;
  }

  // Drops the references a recipe holds (an inline or packed one holds its bytes instead).
  async #dropRefs(m: Mutation, recipe: Recipe): Promise<void> {
    if (!usesChunks(recipe)) {
      m.delta.uniqueBytes -= recipe.size;
      return;
    }
    const uses = countUses(recipeChunkRefs(recipe));
    const digests = [...uses.keys()].map((hex) => Buffer.from(hex, 'hex'));
    const { rows } = await m.query<ChunkRow>(`SELECT * FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[]) FOR UPDATE`, [digests]);
    const updates = rows.map((row) => {
      const entry = entryOf(row);
      entry.refs = Math.max(0, entry.refs - uses.get(row.digest.toString('hex'))!);
      if (entry.refs === 0) {
        m.delta.liveChunks--;
        m.delta.uniqueBytes -= entry.rawLength;
        m.delta.garbageChunks++;
        m.delta.garbageBytes += entry.storedLength;
      }
      return { digest: row.digest, refs: entry.refs };
    });
    if (updates.length === 0) return;
    await m.query(
      `UPDATE ${this.#s}.chunks AS c SET refs = u.refs FROM unnest($1::bytea[], $2::bigint[]) AS u(digest, refs) WHERE c.digest = u.digest`,
      [updates.map((u) => u.digest), updates.map((u) => u.refs)],
    );
  }

  swapRecipe({ digest, expected, recipe, chunks, durable }: RecipeSwap): Promise<boolean> {
    return this.#write(async (m) => {
      m.advanceDurable(durable);
      const { rows } = await m.query<{ recipe: Buffer }>(`SELECT recipe FROM ${this.#s}.blobs WHERE digest = $1 FOR UPDATE`, [digest]);
      const current = rows[0]?.recipe;
      if (!current || !current.equals(expected)) return false;
      // New references first: a chunk both recipes use never passes through refs = 0.
      await this.#takeRefs(m, chunks);
      const old = decodeRecipe(current);
      await this.#dropRefs(m, old);
      const next = decodeRecipe(recipe);
      if (!usesChunks(next)) m.delta.uniqueBytes += next.size;
      if (old.kind === RecipeKind.Expanded) {
        m.delta.expandedBlobs--;
        m.delta.expandedLogicalBytes -= old.size;
      }
      if (next.kind === RecipeKind.Expanded) {
        m.delta.expandedBlobs++;
        m.delta.expandedLogicalBytes += next.size;
      }
      await m.query(`UPDATE ${this.#s}.blobs SET recipe = $2 WHERE digest = $1`, [digest, recipe]);
      return true;
    });
  }

  addChunks(chunks: readonly { digest: Buffer; location: Omit<ChunkEntry, 'refs'> }[], durable: DurablePoint, lease?: string): Promise<void> {
    return this.#write(async (m) => {
      m.advanceDurable(durable);
      if (lease !== undefined) await this.#holdInLease(m, lease, chunks.map(({ digest }) => `chunk:${digest.toString('hex')}`));
      const fresh = new Map(chunks.map(({ digest, location }) => [digest.toString('hex'), { digest, entry: { ...location, refs: 0 } }]));
      if (fresh.size === 0) return;
      const { rows } = await m.query<{ digest: Buffer; stored_length: number }>(
        `INSERT INTO ${this.#s}.chunks AS c (digest, pack_id, payload_offset, stored_length, raw_length, codec, refs)
         SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::smallint[], $7::bigint[])
         ON CONFLICT (digest) DO NOTHING
         RETURNING digest, stored_length`,
        [
          [...fresh.values()].map(({ digest }) => digest),
          [...fresh.values()].map(({ entry }) => entry.packId),
          [...fresh.values()].map(({ entry }) => entry.payloadOffset),
          [...fresh.values()].map(({ entry }) => entry.storedLength),
          [...fresh.values()].map(({ entry }) => entry.rawLength),
          [...fresh.values()].map(({ entry }) => entry.codec),
          [...fresh.values()].map(() => 0),
        ],
      );
      for (const row of rows) {
        m.delta.garbageChunks++;
        m.delta.garbageBytes += row.stored_length;
      }
    });
  }

  // A lease released meanwhile just holds nothing.
  async #holdInLease(m: Mutation, lease: string, resources: readonly string[]): Promise<void> {
    if (resources.length === 0) return;
    await m.query(
      `INSERT INTO ${this.#s}.lease_resources (lease, resource)
       SELECT $1, r FROM unnest($2::text[]) AS r WHERE EXISTS (SELECT 1 FROM ${this.#s}.leases WHERE id = $1)
       ON CONFLICT DO NOTHING`,
      [lease, [...new Set(resources)]],
    );
  }

  async getIngest(ref: string): Promise<IngestCheckpoint | undefined> {
    const rows = await this.#read<IngestRow>('getIngest', `SELECT * FROM ${this.#s}.ingests WHERE ref = $1`, [ref]);
    return rows[0] ? checkpointOf(rows[0]) : undefined;
  }

  putIngest(ref: string, checkpoint: IngestCheckpoint, durable: DurablePoint): Promise<void> {
    return this.#write(async (m) => {
      m.advanceDurable(durable);
      const located = checkpoint.located.map(({ digest, location }) => ({ digest: digest.toString('hex'), ...location }));
      await m.query(
        `INSERT INTO ${this.#s}.ingests (ref, expected, started_at, write_offset, chunks, located, tail, lease)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (ref) DO UPDATE SET expected = EXCLUDED.expected, started_at = EXCLUDED.started_at, write_offset = EXCLUDED.write_offset,
           chunks = EXCLUDED.chunks, located = EXCLUDED.located, tail = EXCLUDED.tail, lease = EXCLUDED.lease`,
        [ref, JSON.stringify(checkpoint.expected), checkpoint.startedAt, checkpoint.offset, checkpoint.chunks, JSON.stringify(located), checkpoint.tail, checkpoint.lease ?? null],
      );
    });
  }

  deleteIngest(ref: string): Promise<void> {
    return this.#write(async (m) => {
      await m.query(`DELETE FROM ${this.#s}.ingests WHERE ref = $1`, [ref]);
    });
  }

  async *ingests(): AsyncIterable<{ ref: string; checkpoint: IngestCheckpoint }> {
    const rows = await this.#read<IngestRow>('ingests', `SELECT * FROM ${this.#s}.ingests ORDER BY ref`);
    for (const row of rows) yield { ref: row.ref, checkpoint: checkpointOf(row) };
  }

  async getLease(id: string): Promise<LeaseRecord | undefined> {
    const rows = await this.#read<LeaseRow>('getLease', `SELECT * FROM ${this.#s}.leases WHERE id = $1`, [id]);
    return rows[0] ? leaseOf(rows[0]) : undefined;
  }

  createLease(id: string, lease: LeaseRecord): Promise<boolean> {
    return this.#write(async (m) => {
      const result = await m.query(
        `INSERT INTO ${this.#s}.leases (id, created_at, expires_at, labels) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [id, lease.createdAt, lease.expiresAt, JSON.stringify(lease.labels)],
      );
      return result.rowCount === 1;
    });
  }

  deleteLease(id: string): Promise<boolean> {
    // Its resources go with it (ON DELETE CASCADE).
    return this.#write(async (m) => (await m.query(`DELETE FROM ${this.#s}.leases WHERE id = $1`, [id])).rowCount === 1);
  }

  async *leases(): AsyncIterable<{ id: string; lease: LeaseRecord }> {
    const rows = await this.#read<LeaseRow>('leases', `SELECT * FROM ${this.#s}.leases ORDER BY id`);
    for (const row of rows) yield { id: row.id, lease: leaseOf(row) };
  }

  async *leaseResources(id: string): AsyncIterable<string> {
    const rows = await this.#read<{ resource: string }>('leaseResources', `SELECT resource FROM ${this.#s}.lease_resources WHERE lease = $1 ORDER BY resource`, [id]);
    for (const row of rows) yield row.resource;
  }

  deleteBlob(digest: string, durable: DurablePoint): Promise<boolean> {
    return this.#write(async (m) => {
      m.advanceDurable(durable);
      const { rows } = await m.query<{ recipe: Buffer }>(`DELETE FROM ${this.#s}.blobs WHERE digest = $1 RETURNING recipe`, [digest]);
      if (!rows[0]) return false;
      const recipe = decodeRecipe(rows[0].recipe);
      await this.#dropRefs(m, recipe);
      if (recipe.kind === RecipeKind.Expanded) {
        m.delta.expandedBlobs--;
        m.delta.expandedLogicalBytes -= recipe.size;
      }
      m.delta.blobs--;
      m.delta.logicalBytes -= recipe.size;
      return true;
    });
  }

  async getExpansionMarks(digests: readonly string[]): Promise<(ExpansionMark | undefined)[]> {
    if (digests.length === 0) return [];
    const rows = await this.#read<{ digest: string; version: string; outcome: ExpansionMark['outcome']; reason: string; tried_at: number }>(
      'getExpansionMarks',
      `SELECT digest, version, outcome, reason, tried_at FROM ${this.#s}.expansion_marks WHERE digest = ANY($1::text[])`,
      [digests],
    );
    const found = new Map(rows.map((row) => [row.digest, { version: row.version, outcome: row.outcome, reason: row.reason, triedAt: Number(row.tried_at) }]));
    return digests.map((digest) => found.get(digest));
  }

  putExpansionMark(digest: string, mark: ExpansionMark): Promise<void> {
    return this.#write(async (m) => {
      // The blob row's lock orders this against a delete of the blob; a mark never outlives its blob.
      await m.query(
        `INSERT INTO ${this.#s}.expansion_marks (digest, version, outcome, reason, tried_at)
         SELECT digest, $2, $3, $4, $5 FROM ${this.#s}.blobs WHERE digest = $1 FOR KEY SHARE
         ON CONFLICT (digest) DO UPDATE SET version = EXCLUDED.version, outcome = EXCLUDED.outcome,
           reason = EXCLUDED.reason, tried_at = EXCLUDED.tried_at`,
        [digest, mark.version, mark.outcome, mark.reason, mark.triedAt],
      );
    });
  }

  sweepChunks(digests: readonly Buffer[], keep: (hex: string) => boolean, onSweep: (hex: string) => void): Promise<number> {
    return this.#write(async (m) => {
      if (digests.length === 0) return 0;
      // Locked rows still unreferenced: a commit taking a reference waits for this transaction, or went first.
      const { rows } = await m.query<{ digest: Buffer; stored_length: number }>(
        `SELECT digest, stored_length FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[]) AND refs = 0 FOR UPDATE`,
        [digests],
      );
      // Pins are checked and sweeps marked in one synchronous step (ChunkPins).
      const removed: Buffer[] = [];
      for (const row of rows) {
        const hex = row.digest.toString('hex');
        if (keep(hex)) continue;
        onSweep(hex);
        removed.push(row.digest);
        m.delta.garbageChunks--;
        m.delta.garbageBytes -= row.stored_length;
      }
      if (removed.length > 0) await m.query(`DELETE FROM ${this.#s}.chunks WHERE digest = ANY($1::bytea[])`, [removed]);
      return removed.length;
    });
  }

  relocate(moves: Relocations, durable: DurablePoint): Promise<{ chunks: number; blobs: number }> {
    return this.#write(async (m) => {
      m.advanceDurable(durable);
      let chunks = 0;
      if (moves.chunks.length > 0) {
        const result = await m.query(
          `UPDATE ${this.#s}.chunks AS c
           SET pack_id = v.to_pack, payload_offset = v.to_offset, stored_length = v.stored_length, raw_length = v.raw_length, codec = v.codec
           FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::smallint[])
             AS v(digest, from_pack, from_offset, to_pack, to_offset, stored_length, raw_length, codec)
           WHERE c.digest = v.digest AND c.pack_id = v.from_pack AND c.payload_offset = v.from_offset`,
          [
            moves.chunks.map((move) => move.digest),
            moves.chunks.map((move) => move.from.packId),
            moves.chunks.map((move) => move.from.payloadOffset),
            moves.chunks.map((move) => move.to.packId),
            moves.chunks.map((move) => move.to.payloadOffset),
            moves.chunks.map((move) => move.to.storedLength),
            moves.chunks.map((move) => move.to.rawLength),
            moves.chunks.map((move) => move.to.codec),
          ],
        );
        chunks = result.rowCount ?? 0;
      }
      let blobs = 0;
      for (const { digest, from, value } of moves.blobs) {
        const { rows } = await m.query<{ recipe: Buffer }>(`SELECT recipe FROM ${this.#s}.blobs WHERE digest = $1 FOR UPDATE`, [digest]);
        if (!rows[0]) continue;
        const recipe = decodeRecipe(rows[0].recipe);
        if (recipe.kind !== RecipeKind.Packed || recipe.ref.packId !== from.packId || recipe.ref.payloadOffset !== from.payloadOffset) continue;
        await m.query(`UPDATE ${this.#s}.blobs SET recipe = $2 WHERE digest = $1`, [digest, value]);
        blobs++;
      }
      return { chunks, blobs };
    });
  }

  async syncToDisk(): Promise<void> {
    // Every commit already waited for PostgreSQL to flush it (synchronous_commit); only the queue is left.
    await this.#flushing;
  }

  async durablePoint(): Promise<DurablePoint | undefined> {
    const rows = await this.#read<{ durable_pack_id: number | null; durable_length: number | null }>(
      'durablePoint',
      `SELECT durable_pack_id, durable_length FROM ${this.#s}.state`,
    );
    const row = rows[0];
    return row && row.durable_pack_id !== null && row.durable_length !== null ? { packId: row.durable_pack_id, length: row.durable_length } : undefined;
  }

  async *blobs(start?: string): AsyncIterable<{ digest: string; recipe: Buffer }> {
    // Keyset pages: no transaction or cursor stays open while the caller works between rows.
    let after: string | undefined;
    for (;;) {
      const rows: { digest: string; recipe: Buffer }[] =
        after === undefined
          ? await this.#read('blobs', `SELECT digest, recipe FROM ${this.#s}.blobs WHERE $1::text IS NULL OR digest >= $1 ORDER BY digest LIMIT ${PAGE_ROWS}`, [start ?? null])
          : await this.#read('blobs', `SELECT digest, recipe FROM ${this.#s}.blobs WHERE digest > $1 ORDER BY digest LIMIT ${PAGE_ROWS}`, [after]);
      for (const row of rows) yield row;
      if (rows.length < PAGE_ROWS) return;
      after = rows.at(-1)!.digest;
    }
  }

  async *chunks(): AsyncIterable<{ digest: Buffer; entry: ChunkEntry }> {
    let after: Buffer | undefined;
    for (;;) {
      const rows =
        after === undefined
          ? await this.#read<ChunkRow>('chunks', `SELECT * FROM ${this.#s}.chunks ORDER BY digest LIMIT ${PAGE_ROWS}`)
          : await this.#read<ChunkRow>('chunks', `SELECT * FROM ${this.#s}.chunks WHERE digest > $1 ORDER BY digest LIMIT ${PAGE_ROWS}`, [after]);
      for (const row of rows) yield { digest: row.digest, entry: entryOf(row) };
      if (rows.length < PAGE_ROWS) return;
      after = rows.at(-1)!.digest;
    }
  }

  async counters(): Promise<Counters> {
    const rows = await this.#read<Record<string, number>>('counters', `SELECT * FROM ${this.#s}.state`);
    const counters = emptyCounters();
    for (const key of COUNTER_KEYS) counters[key] = rows[0]?.[COUNTER_COLUMNS[key]] ?? 0;
    return counters;
  }

  replaceAll(contents: {
    chunks: Iterable<{ digest: Buffer; entry: ChunkEntry }>;
    blobs: Iterable<{ digest: string; recipe: Buffer }>;
    counters: Counters;
    marks?: Iterable<{ digest: string; mark: ExpansionMark }>;
  }): Promise<void> {
    return this.#write(async (m) => {
      await m.query(`TRUNCATE ${this.#s}.chunks, ${this.#s}.blobs, ${this.#s}.expansion_marks`);
      let page: { digest: Buffer; entry: ChunkEntry }[] = [];
      for (const chunk of contents.chunks) {
        page.push(chunk);
        if (page.length >= PAGE_ROWS) {
          await this.#putChunks(m, page, 'nothing');
          page = [];
        }
      }
      await this.#putChunks(m, page, 'nothing');
      let blobs: { digest: string; recipe: Buffer }[] = [];
      const putBlobs = async (): Promise<void> => {
        if (blobs.length === 0) return;
        await m.query(`INSERT INTO ${this.#s}.blobs (digest, recipe) SELECT * FROM unnest($1::text[], $2::bytea[])`, [
          blobs.map((b) => b.digest),
          blobs.map((b) => b.recipe),
        ]);
        blobs = [];
      };
      for (const blob of contents.blobs) {
        blobs.push(blob);
        if (blobs.length >= PAGE_ROWS) await putBlobs();
      }
      await putBlobs();
      let marks: { digest: string; mark: ExpansionMark }[] = [];
      const putMarks = async (): Promise<void> => {
        if (marks.length === 0) return;
        // Only marks of blobs just put are kept.
        await m.query(
          `INSERT INTO ${this.#s}.expansion_marks (digest, version, outcome, reason, tried_at)
           SELECT given.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS given (digest, version, outcome, reason, tried_at)
           JOIN ${this.#s}.blobs USING (digest)`,
          [
            marks.map(({ digest }) => digest),
            marks.map(({ mark }) => mark.version),
            marks.map(({ mark }) => mark.outcome),
            marks.map(({ mark }) => mark.reason),
            marks.map(({ mark }) => mark.triedAt),
          ],
        );
        marks = [];
      };
      for (const mark of contents.marks ?? []) {
        marks.push(mark);
        if (marks.length >= PAGE_ROWS) await putMarks();
      }
      await putMarks();
      const sets = COUNTER_KEYS.map((key, i) => `${COUNTER_COLUMNS[key]} = $${i + 1}`);
      await m.query(`UPDATE ${this.#s}.state SET ${sets.join(', ')}`, COUNTER_KEYS.map((key) => contents.counters[key]));
    }, true);
  }

  async diskBytes(): Promise<number> {
    const rows = await this.#read<{ bytes: number | null }>(
      'diskBytes',
      `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [this.#schema],
    );
    return rows[0]?.bytes ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#flushing;
    this.#closed = true;
    // Ending the session releases the ownership lock with it.
    await this.#owner.end().catch(() => {});
    await this.#pool.end().catch(() => {});
  }
}

interface IngestRow {
  ref: string;
  expected: { digest?: string; size?: number };
  started_at: number;
  write_offset: number;
  chunks: Buffer;
  located: ({ digest: string } & Omit<ChunkEntry, 'refs'>)[];
  tail: Buffer;
  lease: string | null;
}

function checkpointOf(row: IngestRow): IngestCheckpoint {
  const checkpoint: IngestCheckpoint = {
    expected: row.expected,
    startedAt: row.started_at,
    offset: row.write_offset,
    chunks: row.chunks,
    located: row.located.map(({ digest, ...location }) => ({ digest: Buffer.from(digest, 'hex'), location })),
    tail: row.tail,
  };
  if (row.lease !== null) checkpoint.lease = row.lease;
  return checkpoint;
}

interface LeaseRow {
  id: string;
  created_at: number;
  expires_at: number;
  labels: Record<string, string>;
}

function leaseOf(row: LeaseRow): LeaseRecord {
  return { createdAt: row.created_at, expiresAt: row.expires_at, labels: row.labels };
}
