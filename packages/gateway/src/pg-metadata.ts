import pg from 'pg';
import { StrataError } from '@strata/errors';
import { bigintsAsNumbers, checkSchemaName } from '@strata/postgres';
import {
  LINK_REFRESH_MS,
  type BlobLink,
  type ManifestRecord,
  type Page,
  type PullRecord,
  type ReferrerDescriptor,
  type RegistryMetadata,
  type TagRecord,
  type UploadSession,
} from './metadata.ts';
import type { Logger } from 'pino';
import type { CollectionGuard } from './collection-guard.ts';
import { PgCollectionGuard } from './pg-collection-guard.ts';
import { pgError } from './pg-errors.ts';
import { DEFAULT_PG_SCHEMA, migrate } from './pg-schema.ts';

export interface PgMetadataOptions {
  /** `postgresql://USER:PASSWORD@HOST:PORT/DATABASE` (any form `pg` takes). */
  url: string;
  /** The PostgreSQL schema holding the tables; default `strata_gateway`. */
  schema?: string;
  /** Connections in the pool; default 10. */
  maxConnections?: number;
  /** Errors of idle pooled connections (a restarted server); the next query reconnects. */
  onIdleError?: (error: StrataError) => void;
}

/**
 * Registry metadata in PostgreSQL (pg-schema.ts draws the tables), for
 * several gateways over one database. Every method is one statement or one
 * transaction, so each is atomic as in LMDB; writers of the same content
 * meet in `ON CONFLICT` upserts, and both succeed with one stored row.
 */
export class PgMetadata implements RegistryMetadata {
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #schema: string;
  /** The quoted schema, prefixed to every table name. */
  readonly #s: string;
  #closed = false;

  private constructor(pool: pg.Pool, url: string, schema: string) {
    this.#pool = pool;
    this.#url = url;
    this.#schema = schema;
    this.#s = `"${schema}"`;
  }

  /** Connects, migrates the schema to this code's version (creating it if needed) and answers once usable. */
  static async open(options: PgMetadataOptions): Promise<PgMetadata> {
    const schema = checkSchemaName(options.schema ?? DEFAULT_PG_SCHEMA);
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10, types: bigintsAsNumbers, connectionTimeoutMillis: 30_000 });
    pool.on('error', (error) => options.onIdleError?.(pgError('idle connection', error)));
    try {
      await migrate(pool, schema);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return new PgMetadata(pool, options.url, schema);
  }

  /** A guard over this schema, on connections of its own: push steps hold one while they run, and must never wait for the metadata's pool. */
  createCollectionGuard(options: { recentMs: number; log?: Logger }): CollectionGuard {
    return new PgCollectionGuard({ url: this.#url, schema: this.#schema, ...options });
  }

  async repositoryExists(repository: string): Promise<boolean> {
    const rows = await this.#query('repositoryExists', `SELECT 1 FROM ${this.#s}.repositories WHERE name = $1`, [repository]);
    return rows.length > 0;
  }

  async listRepositories(page: Page): Promise<string[]> {
    if (page.limit <= 0) return this.#checked([]);
    const rows = await this.#query<{ name: string }>(
      'listRepositories',
      `SELECT name FROM ${this.#s}.repositories WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`,
      [page.last ?? null, page.limit],
    );
    return rows.map((row) => row.name);
  }

  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    const rows = await this.#query('isBlobLinked', `SELECT 1 FROM ${this.#s}.blob_links WHERE repository = $1 AND digest = $2`, [repository, digest]);
    return rows.length > 0;
  }

  async linkBlob(repository: string, digest: string): Promise<void> {
    const now = Date.now();
    // One statement: the repository and the link appear together. A fresh
    // link is left alone (no row version, no WAL) as in LMDB.
    await this.#query(
      'linkBlob',
      `WITH repository AS (
         INSERT INTO ${this.#s}.repositories (name, created_at) VALUES ($1, $3) ON CONFLICT DO NOTHING
       )
       INSERT INTO ${this.#s}.blob_links AS link (repository, digest, linked_at) VALUES ($1, $2, $3)
       ON CONFLICT (repository, digest) DO UPDATE SET linked_at = EXCLUDED.linked_at
       WHERE link.linked_at <= EXCLUDED.linked_at - $4`,
      [repository, digest, now, LINK_REFRESH_MS],
    );
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    const rows = await this.#query('unlinkBlob', `DELETE FROM ${this.#s}.blob_links WHERE repository = $1 AND digest = $2 RETURNING 1`, [repository, digest]);
    return rows.length > 0;
  }

  async listBlobLinks(repository: string): Promise<BlobLink[]> {
    const rows = await this.#query<{ digest: string; linked_at: number }>(
      'listBlobLinks',
      `SELECT digest, linked_at FROM ${this.#s}.blob_links WHERE repository = $1 ORDER BY digest`,
      [repository],
    );
    return rows.map((row) => ({ digest: row.digest, linkedAt: row.linked_at }));
  }

  async linkedDigests(): Promise<Set<string>> {
    const rows = await this.#query<{ digest: string }>('linkedDigests', `SELECT DISTINCT digest FROM ${this.#s}.blob_links`);
    return new Set(rows.map((row) => row.digest));
  }

  async getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined> {
    const rows = await this.#query<{ record: ManifestRecord }>('getManifest', `SELECT record FROM ${this.#s}.manifests WHERE repository = $1 AND digest = $2`, [
      repository,
      digest,
    ]);
    return rows[0]?.record;
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string): Promise<void> {
    const now = Date.now();
    await this.#transaction('putManifest', async (client) => {
      // Rows are locked in one order (repository, manifest, tag, referrer) by every writer: no deadlocks.
      await client.query(`INSERT INTO ${this.#s}.repositories (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [repository, now]);
      await client.query(
        `INSERT INTO ${this.#s}.manifests (repository, digest, record) VALUES ($1, $2, $3)
         ON CONFLICT (repository, digest) DO UPDATE SET record = EXCLUDED.record`,
        [repository, manifest.digest, manifest],
      );
      if (tag !== undefined) {
        await client.query(
          `INSERT INTO ${this.#s}.tags (repository, tag, digest, pushed_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (repository, tag) DO UPDATE SET digest = EXCLUDED.digest, pushed_at = EXCLUDED.pushed_at`,
          [repository, tag, manifest.digest, manifest.pushedAt ?? now],
        );
      }
      if (manifest.subject !== undefined) {
        const referrer: ReferrerDescriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
        if (manifest.artifactType !== undefined) referrer.artifactType = manifest.artifactType;
        if (manifest.annotations !== undefined) referrer.annotations = manifest.annotations;
        await client.query(
          `INSERT INTO ${this.#s}.referrers (repository, subject, digest, descriptor) VALUES ($1, $2, $3, $4)
           ON CONFLICT (repository, subject, digest) DO UPDATE SET descriptor = EXCLUDED.descriptor`,
          [repository, manifest.subject, manifest.digest, referrer],
        );
      }
    });
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    return this.#transaction('deleteManifest', async (client) => {
      const { rows } = await client.query<{ subject: string | null }>(
        `DELETE FROM ${this.#s}.manifests WHERE repository = $1 AND digest = $2 RETURNING record->>'subject' AS subject`,
        [repository, digest],
      );
      if (rows.length === 0) return false;
      await client.query(`DELETE FROM ${this.#s}.tags WHERE repository = $1 AND digest = $2`, [repository, digest]);
      const subject = rows[0]!.subject;
      if (subject !== null) {
        await client.query(`DELETE FROM ${this.#s}.referrers WHERE repository = $1 AND subject = $2 AND digest = $3`, [repository, subject, digest]);
      }
      await client.query(`DELETE FROM ${this.#s}.pulls WHERE repository = $1 AND digest = $2`, [repository, digest]);
      return true;
    });
  }

  async listManifests(repository: string): Promise<ManifestRecord[]> {
    const rows = await this.#query<{ record: ManifestRecord }>('listManifests', `SELECT record FROM ${this.#s}.manifests WHERE repository = $1 ORDER BY digest`, [
      repository,
    ]);
    return rows.map((row) => row.record);
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    const rows = await this.#query<{ digest: string }>('resolveTag', `SELECT digest FROM ${this.#s}.tags WHERE repository = $1 AND tag = $2`, [repository, tag]);
    return rows[0]?.digest;
  }

  async listTags(repository: string, page: Page): Promise<string[]> {
    if (page.limit <= 0) return this.#checked([]);
    const rows = await this.#query<{ tag: string }>(
      'listTags',
      `SELECT tag FROM ${this.#s}.tags WHERE repository = $1 AND ($2::text IS NULL OR tag > $2) ORDER BY tag LIMIT $3`,
      [repository, page.last ?? null, page.limit],
    );
    return rows.map((row) => row.tag);
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const rows = await this.#query('deleteTag', `DELETE FROM ${this.#s}.tags WHERE repository = $1 AND tag = $2 RETURNING 1`, [repository, tag]);
    return rows.length > 0;
  }

  async listTagRecords(repository: string): Promise<TagRecord[]> {
    const rows = await this.#query<{ tag: string; digest: string; pushed_at: number }>(
      'listTagRecords',
      `SELECT tag, digest, pushed_at FROM ${this.#s}.tags WHERE repository = $1 ORDER BY tag`,
      [repository],
    );
    return rows.map((row) => ({ tag: row.tag, digest: row.digest, pushedAt: row.pushed_at }));
  }

  async recordPulls(pulls: readonly PullRecord[]): Promise<void> {
    this.#checkOpen();
    if (pulls.length === 0) return;
    // One row per manifest (an upsert may not touch a row twice), in key
    // order so that gateways flushing at once lock rows in the same order.
    const latest = new Map<string, PullRecord>();
    for (const pull of pulls) {
      const key = `${pull.repository}\n${pull.digest}`;
      if ((latest.get(key)?.at ?? -Infinity) < pull.at) latest.set(key, pull);
    }
    const ordered = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pull]) => pull);
    await this.#query(
      'recordPulls',
      `INSERT INTO ${this.#s}.pulls AS pull (repository, digest, pulled_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (repository, digest) DO UPDATE SET pulled_at = EXCLUDED.pulled_at
       WHERE pull.pulled_at < EXCLUDED.pulled_at`,
      [ordered.map((pull) => pull.repository), ordered.map((pull) => pull.digest), ordered.map((pull) => pull.at)],
    );
  }

  async lastPulled(repository: string, digest: string): Promise<number | undefined> {
    const rows = await this.#query<{ pulled_at: number }>('lastPulled', `SELECT pulled_at FROM ${this.#s}.pulls WHERE repository = $1 AND digest = $2`, [
      repository,
      digest,
    ]);
    return rows[0]?.pulled_at;
  }

  async listReferrers(repository: string, subject: string): Promise<ReferrerDescriptor[]> {
    const rows = await this.#query<{ descriptor: ReferrerDescriptor }>(
      'listReferrers',
      `SELECT descriptor FROM ${this.#s}.referrers WHERE repository = $1 AND subject = $2 ORDER BY digest`,
      [repository, subject],
    );
    return rows.map((row) => row.descriptor);
  }

  async putUpload(session: UploadSession): Promise<void> {
    await this.#query(
      'putUpload',
      `INSERT INTO ${this.#s}.uploads (uuid, session) VALUES ($1, $2) ON CONFLICT (uuid) DO UPDATE SET session = EXCLUDED.session`,
      [session.uuid, session],
    );
  }

  async getUpload(uuid: string): Promise<UploadSession | undefined> {
    const rows = await this.#query<{ session: UploadSession }>('getUpload', `SELECT session FROM ${this.#s}.uploads WHERE uuid = $1`, [uuid]);
    return rows[0]?.session;
  }

  async deleteUpload(uuid: string): Promise<void> {
    await this.#query('deleteUpload', `DELETE FROM ${this.#s}.uploads WHERE uuid = $1`, [uuid]);
  }

  async listUploads(): Promise<UploadSession[]> {
    const rows = await this.#query<{ session: UploadSession }>('listUploads', `SELECT session FROM ${this.#s}.uploads ORDER BY uuid`);
    return rows.map((row) => row.session);
  }

  /** Waits for queries in flight, then closes every connection; idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('Unavailable', 'gateway metadata is closed');
  }

  #checked<T>(value: T): T {
    this.#checkOpen();
    return value;
  }

  async #query<R extends pg.QueryResultRow = pg.QueryResultRow>(operation: string, sql: string, values: unknown[] = []): Promise<R[]> {
    this.#checkOpen();
    try {
      return (await this.#pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw pgError(operation, error);
    }
  }

  /** Runs `work` in one transaction on one connection: all of it commits, or none. */
  async #transaction<T>(operation: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw pgError(operation, error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw pgError(operation, error);
    } finally {
      client.release(broken);
    }
  }
}
