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
 *   ├── lease_resources       (lease, resource) ; resource = "blob:<digest>" | "chunk:<hex>"
 *   └── expansion_marks       digest -> version, outcome, reason, tried_at (blobs expansion left as they were)
 *
 * It mirrors the LMDB layout (layout.ts) table for database. Text keys
 * compare byte-wise (`COLLATE "C"`) so listings come in LMDB's order.
 * Sizes, offsets and times are bigints, read back as numbers.
 *
 * Migrations are applied as @strata/postgres's migrateSchema applies them
 * (in order, each in one transaction with its row in schema_migrations,
 * under an advisory lock); a schema migrated past what this code knows is
 * refused rather than guessed at. Versions and lock keys are on the
 * database: they never change meaning.
 */
import type pg from 'pg';
import { advisoryLockKey, migrateSchema, type Migration } from '@strata/postgres';

export const DEFAULT_INDEX_SCHEMA = 'strata_cas';

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
  {
    version: 2,
    name: 'expansion marks',
    sql: `
      CREATE TABLE expansion_marks (
        digest text COLLATE "C" PRIMARY KEY REFERENCES blobs (digest) ON DELETE CASCADE,
        version text NOT NULL,
        outcome text NOT NULL,
        reason text NOT NULL,
        tried_at bigint NOT NULL
      );
    `,
  },
];

/** The newest schema version this code reads and writes. */
export const INDEX_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** A 64-bit advisory lock key for `purpose` on `schema`, the same in every process. */
export function advisoryKey(purpose: 'migrations' | 'owner', schema: string): string {
  return advisoryLockKey(`strata-cas-index-${purpose}`, schema);
}

/**
 * Brings `schema` to INDEX_SCHEMA_VERSION on `client`, creating it when
 * absent; resolves to the migrations this call applied.
 */
export function migrateIndex(client: pg.ClientBase, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return migrateSchema(client, { schema, migrations, lockKey: advisoryKey('migrations', schema), versionName: 'index schema' });
}
