import { createHash } from 'node:crypto';
import { Lock } from '@rocicorp/lock';
import pg from 'pg';
import { advisoryLockKey, checkSchemaName } from '@strata/postgres';
import type { Logger } from 'pino';
import type { Collection, CollectionGuard, TouchedCheck } from './collection-guard.ts';
import { pgError } from './pg-errors.ts';

export interface PgCollectionGuardOptions {
  /** The database of the registry metadata (any form `pg` takes). */
  url: string;
  /** The PostgreSQL schema of the registry metadata: the guard orders every gateway using it. */
  schema: string;
  /** How long a use keeps a digest touched for collections that begin later; 5 minutes by default. */
  recentMs?: number;
  /** Connections for push steps and delete steps; 20 by default. A push step holds one while it runs. */
  maxConnections?: number;
  log?: Logger;
}

/** Protection locks take two 32-bit keys: the schema's space, and the digest's. */
function int32Key(text: string): number {
  return createHash('sha256').update(text).digest().readInt32BE(0);
}

/**
 * The collection guard of every gateway over one PostgreSQL schema, built
 * from advisory locks so that a gateway that dies releases what it held
 * with its connections.
 *
 * - Push steps run in a transaction holding the schema's step lock shared
 *   (`pg_advisory_xact_lock_shared`); before it commits, the step records
 *   its digests with the database's clock in `gc_touches`.
 * - Delete steps run in a transaction holding the step lock exclusive, so
 *   they wait for the push steps in flight and hold new ones back; a
 *   digest is touched when `gc_touches` has it at or after the
 *   collection's start (less `recentMs`). Every touch a delete step can
 *   miss belongs to a push step that starts after it.
 * - Uploads protect a digest with a session-level shared lock on the
 *   digest's own key, all on one connection of this gateway; delete steps
 *   try that key exclusively and keep the digest when they cannot get it,
 *   and while they hold it an upload's protection waits.
 * - One collection at a time: `claim` takes a session-level lock on a
 *   connection of its own, held until the release.
 *
 * Digests share 32-bit protection keys by hash: a collision only keeps a
 * blob one more round.
 */
export class PgCollectionGuard implements CollectionGuard {
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #stepKey: string;
  readonly #claimKey: string;
  readonly #protectionSpace: number;
  readonly #recentMs: number;
  readonly #log: Logger | undefined;
  #protections: Promise<pg.Client> | undefined;
  /** One statement at a time on the protection connection: a waiting protection holds up the ones behind it, briefly. */
  readonly #protectionsTurn = new Lock();
  #closed = false;

  constructor(options: PgCollectionGuardOptions) {
    const schema = checkSchemaName(options.schema);
    this.#url = options.url;
    this.#s = `"${schema}"`;
    this.#stepKey = advisoryLockKey('strata-gateway-gc-steps', schema);
    this.#claimKey = advisoryLockKey('strata-gateway-gc-claim', schema);
    this.#protectionSpace = int32Key(`strata-gateway-gc-protect\0${schema}`);
    this.#recentMs = options.recentMs ?? 5 * 60_000;
    this.#log = options.log;
    this.#pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 20, connectionTimeoutMillis: 30_000 });
    this.#pool.on('error', (error) => this.#log?.warn({ err: error }, 'collection guard: idle connection failed'));
  }

  async shared<T>(digests: Iterable<string>, work: () => Promise<T>): Promise<T> {
    // Sorted, so that steps upserting the same rows lock them in one order.
    const relied = [...new Set(digests)].sort();
    const client = await this.#connect('push step');
    let broken = false;
    try {
      try {
        await client.query(`BEGIN; SELECT pg_advisory_xact_lock_shared(${this.#stepKey})`);
      } catch (error) {
        broken = true;
        throw pgError('push step lock', error);
      }
      let outcome: { value: T } | { error: unknown };
      try {
        outcome = { value: await work() };
      } catch (error) {
        outcome = { error };
      }
      try {
        // Touched at the end, and committed before the lock is let go: a
        // collection that read the metadata before the step's writes landed
        // sees the touch in its next delete step.
        // One round trip for both: the digests go in as escaped literals.
        const touch =
          relied.length === 0
            ? ''
            : `INSERT INTO ${this.#s}.gc_touches (digest, used_at) SELECT digest, clock_timestamp() FROM unnest(ARRAY[${relied.map((digest) => client.escapeLiteral(digest)).join(',')}]::text[]) AS digest
               ON CONFLICT (digest) DO UPDATE SET used_at = EXCLUDED.used_at; `;
        await client.query(`${touch}COMMIT`);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw pgError('push step', error);
      }
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    } finally {
      client.release(broken);
    }
  }

  async protect(digest: string): Promise<() => void> {
    const key = int32Key(digest);
    await this.#onProtections('protect', (client) => client.query('SELECT pg_advisory_lock_shared($1::int, $2::int)', [this.#protectionSpace, key]));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#onProtections('release protection', (client) => client.query('SELECT pg_advisory_unlock_shared($1::int, $2::int)', [this.#protectionSpace, key])).catch(
        (error: unknown) => this.#log?.warn({ err: error, digest }, 'collection guard: protection not released'),
      );
    };
  }

  async begin(): Promise<Collection> {
    const since = await this.#withClient('begin collection', (client) => this.#sql('begin collection', async () => {
      const { rows } = await client.query<{ since: string }>(`SELECT (clock_timestamp() - $1::bigint * interval '1 millisecond')::text AS since`, [this.#recentMs]);
      const at = rows[0]!.since;
      // Touches older than any collection counts are dead weight; a day is kept
      // for gateways configured with a longer window than this one.
      await client.query(`DELETE FROM ${this.#s}.gc_touches WHERE used_at < least($1::timestamptz, clock_timestamp() - interval '1 day')`, [at]);
      return at;
    }));
    const touchedOn = async (client: pg.ClientBase, digests: readonly string[]): Promise<Set<string>> => {
      const { rows } = await client.query<{ digest: string }>(`SELECT digest FROM ${this.#s}.gc_touches WHERE digest = ANY($1::text[]) AND used_at >= $2::timestamptz`, [
        [...digests],
        since,
      ]);
      return new Set(rows.map((row) => row.digest));
    };
    return {
      touched: (digests) =>
        digests.length === 0 ? Promise.resolve(new Set()) : this.#withClient('touched digests', (client) => this.#sql('touched digests', () => touchedOn(client, digests))),
      exclusive: (work) =>
        this.#withClient('delete step', async (client) => {
          await this.#sql('delete step lock', () => client.query(`BEGIN; SELECT pg_advisory_xact_lock(${this.#stepKey})`));
          try {
            const check: TouchedCheck = (digests) => this.#sql('delete step check', async () => {
              if (digests.length === 0) return new Set<string>();
              const touched = await touchedOn(client, digests);
              // The protection keys this step gets stay locked until it commits: an upload waits for the delete.
              const { rows } = await client.query<{ digest: string }>(
                `SELECT digest FROM unnest($1::text[], $2::int[]) AS candidate(digest, key) WHERE NOT pg_try_advisory_xact_lock($3::int, key)`,
                [[...digests], digests.map((digest) => int32Key(digest)), this.#protectionSpace],
              );
              for (const row of rows) touched.add(row.digest);
              return touched;
            });
            const result = await work(check);
            await this.#sql('delete step', () => client.query('COMMIT'));
            return result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        }),
      end: () => Promise.resolve(),
    };
  }

  async claim(): Promise<(() => Promise<void>) | undefined> {
    if (this.#closed) throw pgError('claim collection', new Error('collection guard is closed'));
    // Named so that an operator (pg_stat_activity joined with pg_locks) sees which process collects.
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 30_000, application_name: `strata collection claim pid=${process.pid}` });
    client.on('error', (error) => this.#log?.warn({ err: error }, 'collection guard: the claim connection failed; another gateway may start collecting'));
    try {
      await client.connect();
      const { rows } = await client.query<{ claimed: boolean }>(`SELECT pg_try_advisory_lock(${this.#claimKey}) AS claimed`);
      if (rows[0]?.claimed !== true) {
        await client.end();
        return undefined;
      }
    } catch (error) {
      await client.end().catch(() => {});
      throw pgError('claim collection', error);
    }
    let released: Promise<void> | undefined;
    // Ending the session lets the claim go, whatever state the connection is in.
    return () => (released ??= client.end().catch(() => {}));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const protections = this.#protections;
    this.#protections = undefined;
    if (protections) await protections.then((client) => client.end()).catch(() => {});
    await this.#pool.end();
  }

  async #connect(operation: string): Promise<pg.PoolClient> {
    if (this.#closed) throw pgError(operation, new Error('collection guard is closed'));
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw pgError(operation, error);
    }
  }

  /** Runs `work` on a pooled connection; one that saw an error is closed rather than pooled. */
  async #withClient<T>(operation: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect(operation);
    let failed = false;
    try {
      return await work(client);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.release(failed);
    }
  }

  /** Database failures of `work` as StrataErrors. */
  async #sql<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw pgError(operation, error);
    }
  }

  /** Runs `work` on the connection that holds this gateway's protections, connecting it when needed. */
  async #onProtections<T>(operation: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    if (this.#closed) throw pgError(operation, new Error('collection guard is closed'));
    const connecting = (this.#protections ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 30_000 });
      client.on('error', (error) => {
        // Its locks went with it; the next protection opens a new connection.
        this.#log?.warn({ err: error }, 'collection guard: the protection connection failed');
        if (this.#protections === connecting) this.#protections = undefined;
      });
      await client.connect();
      return client;
    })());
    let client: pg.Client;
    try {
      client = await connecting;
    } catch (error) {
      if (this.#protections === connecting) this.#protections = undefined;
      throw pgError(operation, error);
    }
    try {
      return await this.#protectionsTurn.withLock(() => work(client));
    } catch (error) {
      throw pgError(operation, error);
    }
  }
}
