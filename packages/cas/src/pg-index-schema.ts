/**
 * The engine's index in PostgreSQL: its tables and the migrations that build them.
 *
 *   <schema>                  (default strata_cas; one per store)
 *   ├── schema_migrations     version -> name, applied_at
 *   ├── state                 one row: store_id, durable point, counters
 *   ├── chunks                digest (32 raw bytes) -> pack_id, payload_offset, stored_length,
 *   │                                                  raw_length, codec, refs
 *   ├── blobs                 digest ("sha256:<hex>") -> recipe (recipe.ts, as in LMDB)
 *   ├── ingests               ref -> a saved write (IngestCheckpoint, one column per field)
 *   ├── leases                id -> created_at, expires_at, labels
 *   └── lease_resources       (lease, resource) ; resource = "blob:<digest>" | "chunk:<hex>"
 *
 * It mirrors the LMDB layout (layout.ts) table for database. Text keys
 * compare byte-wise (`COLLATE "C"`) so listings come in LMDB's order.
 * Sizes, offsets and times are bigints, read back as numbers.
 *
 * Migrations are numbered and applied in order, each in one transaction
 * with its row in schema_migrations, under an advisory lock; a schema
 * migrated past what this code knows is refused rather than guessed at.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StrataError } from '@strata/errors';

export const DEFAULT_INDEX_SCHEMA = 'strata_cas';

export interface Migration {
  version: number;
  name: string;
  /** Statements run with the schema first on the search path. */
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'engine index',
    sql: `
      CREATE TABLE state (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        -- The data directory this index belongs to (its INDEX file holds the same id).
        store_id text,
        durable_pack_id bigint,
        durable_length bigint,
        blobs bigint NOT NULL DEFAULT 0,
        logical_bytes bigint NOT NULL DEFAULT 0,
        live_chunks bigint NOT NULL DEFAULT 0,
        unique_bytes bigint NOT NULL DEFAULT 0,
        garbage_chunks bigint NOT NULL DEFAULT 0,
        garbage_bytes bigint NOT NULL DEFAULT 0,
        expanded_blobs bigint NOT NULL DEFAULT 0,
        expanded_logical_bytes bigint NOT NULL DEFAULT 0
      );
      INSERT INTO state DEFAULT VALUES;
      CREATE TABLE chunks (
        digest bytea PRIMARY KEY,
        pack_id bigint NOT NULL,
        payload_offset bigint NOT NULL,
        stored_length bigint NOT NULL,
        raw_length bigint NOT NULL,
        codec smallint NOT NULL,
        refs bigint NOT NULL CHECK (refs >= 0)
      );
      CREATE TABLE blobs (
        digest text COLLATE "C" PRIMARY KEY,
        recipe bytea NOT NULL
      );
      CREATE TABLE ingests (
        ref text COLLATE "C" PRIMARY KEY,
        expected jsonb NOT NULL,
        started_at bigint NOT NULL,
        write_offset bigint NOT NULL,
        chunks bytea NOT NULL,
        located jsonb NOT NULL,
        tail bytea NOT NULL,
        lease text COLLATE "C"
      );
      CREATE TABLE leases (
        id text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        labels jsonb NOT NULL
      );
      CREATE TABLE lease_resources (
        lease text COLLATE "C" NOT NULL REFERENCES leases (id) ON DELETE CASCADE,
        resource text COLLATE "C" NOT NULL,
        PRIMARY KEY (lease, resource)
      );
    `,
  },
];

/** The newest schema version this code reads and writes. */
export const INDEX_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Lower-case SQL identifiers only, so the name never needs escaping beyond quotes. */
export function checkIndexSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StrataError('InvalidArgument', `${JSON.stringify(schema)} is not a usable PostgreSQL schema name (lower-case letters, digits and _, at most 63)`, {
      details: { schema },
    });
  }
  return schema;
}

/** A 64-bit advisory lock key for `purpose` on `schema`, the same in every process. */
export function advisoryKey(purpose: 'migrations' | 'owner', schema: string): string {
  return createHash('sha256').update(`strata-cas-index-${purpose}\0${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Brings `schema` to INDEX_SCHEMA_VERSION on `client`, creating it when
 * absent; resolves to the migrations this call applied.
 */
export async function migrateIndex(client: pg.ClientBase, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const quoted = `"${checkIndexSchemaName(schema)}"`;
  const lockKey = advisoryKey('migrations', schema);
  await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
  try {
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
      throw new StrataError('FailedPrecondition', `PostgreSQL schema ${schema} is at index schema version ${current}, newer than this strata (${known}); upgrade strata`, {
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
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
  }
}
