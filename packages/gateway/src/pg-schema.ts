/**
 * The gateway's tables in PostgreSQL, and the migrations that build them.
 *
 *   <schema>                      (default strata_gateway; one per registry)
 *   ├── schema_migrations  version -> name, applied_at
 *   ├── repositories       name                         -> created_at
 *   ├── blob_links         (repository, digest)         -> linked_at
 *   ├── manifests          (repository, digest)         -> record (jsonb ManifestRecord), subject
 *   ├── tags               (repository, tag)            -> digest, pushed_at
 *   ├── referrers          (repository, subject, digest)-> descriptor (jsonb ReferrerDescriptor)
 *   ├── pulls              (repository, digest)         -> pulled_at
 *   ├── uploads            uuid                         -> session (jsonb UploadSession)
 *   └── gc_touches         digest                       -> used_at (timestamptz, the database's clock)
 *
 * It mirrors the LMDB layout (metadata-layout.ts) table for database. Names
 * are compared byte-wise (`COLLATE "C"`) so listings and `last` paging sort
 * exactly as LMDB's ordered keys do. Times are milliseconds since the epoch
 * in bigints, like the records the interface hands out. `gc_touches` is the
 * collection guard's (pg-collection-guard.ts): when a push step of any
 * gateway last relied on a digest, by the one clock every gateway shares.
 *
 * Migrations are numbered and applied in order, each in its own
 * transaction together with its row in schema_migrations, under an advisory
 * lock: gateways starting at once wait for one another, and the later ones
 * find nothing left to do. A schema migrated past what this code knows is
 * refused rather than guessed at.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StrataError } from '@strata/errors';
import { pgError } from './pg-errors.ts';

export const DEFAULT_PG_SCHEMA = 'strata_gateway';

export interface Migration {
  version: number;
  name: string;
  /** Statements run with the schema first on the search path. */
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry metadata',
    sql: `
      CREATE TABLE repositories (
        name text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL
      );
      CREATE TABLE blob_links (
        repository text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        linked_at bigint NOT NULL,
        PRIMARY KEY (repository, digest)
      );
      -- Garbage collection asks which digests any repository links.
      CREATE INDEX blob_links_by_digest ON blob_links (digest);
      CREATE TABLE manifests (
        repository text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        record jsonb NOT NULL,
        PRIMARY KEY (repository, digest)
      );
      CREATE TABLE tags (
        repository text COLLATE "C" NOT NULL,
        tag text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        pushed_at bigint NOT NULL,
        PRIMARY KEY (repository, tag)
      );
      -- Deleting a manifest drops the tags that point at it.
      CREATE INDEX tags_by_digest ON tags (repository, digest);
      CREATE TABLE referrers (
        repository text COLLATE "C" NOT NULL,
        subject text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        descriptor jsonb NOT NULL,
        PRIMARY KEY (repository, subject, digest)
      );
      CREATE TABLE pulls (
        repository text COLLATE "C" NOT NULL,
        digest text COLLATE "C" NOT NULL,
        pulled_at bigint NOT NULL,
        PRIMARY KEY (repository, digest)
      );
      CREATE TABLE uploads (
        uuid text COLLATE "C" PRIMARY KEY,
        session jsonb NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'garbage collection across gateways',
    sql: `
      CREATE TABLE gc_touches (
        digest text COLLATE "C" PRIMARY KEY,
        used_at timestamptz NOT NULL
      );
      -- Collections prune what no collection counts any more.
      CREATE INDEX gc_touches_by_time ON gc_touches (used_at);
    `,
  },
];

/** The newest schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Lower-case SQL identifiers only, so the name never needs escaping beyond quotes. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StrataError('InvalidArgument', `${JSON.stringify(schema)} is not a usable PostgreSQL schema name (lower-case letters, digits and _, at most 63)`, {
      details: { schema },
    });
  }
  return schema;
}

/** The advisory lock key of a schema's migrations: the same for every gateway using that schema. */
function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`strata-gateway-migrations\0${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Brings `schema` to SCHEMA_VERSION, creating it when absent; resolves to
 * the migrations applied by this call (none when another gateway got there first).
 */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  checkSchemaName(schema);
  const quoted = `"${schema}"`;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw pgError('connect', error);
  }
  const lockKey = migrationLockKey(schema);
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
    locked = true;
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoted}.schema_migrations`);
    const current = rows[0]?.version ?? 0;
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) {
      throw new StrataError('FailedPrecondition', `PostgreSQL schema ${schema} is at gateway schema version ${current}, newer than this strata (${known}); upgrade strata`, {
        details: { schema, version: current, known },
      });
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${quoted}`);
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
      applied.push(migration.version);
    }
    return applied;
  } catch (error) {
    throw pgError('schema migration', error);
  } finally {
    let broken = false;
    if (locked) await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(() => (broken = true));
    // A connection that could not unlock may still hold the lock: it is closed, not pooled.
    client.release(broken);
  }
}
