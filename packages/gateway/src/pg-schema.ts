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
 * Migrations are applied as @strata/postgres's migrateSchema applies them:
 * in order, each in its own transaction together with its row in
 * schema_migrations, under an advisory lock, so gateways starting at once
 * wait for one another and the later ones find nothing left to do. A
 * schema migrated past what this code knows is refused rather than guessed
 * at. Versions and the lock key are on the database: they never change
 * meaning.
 */
import type pg from 'pg';
import { advisoryLockKey, migratePooledSchema, type Migration } from '@strata/postgres';
import { PG_METADATA_SUBJECT } from './pg-errors.ts';

export type { Migration };

export const DEFAULT_PG_SCHEMA = 'strata_gateway';

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

/**
 * Brings `schema` to SCHEMA_VERSION, creating it when absent; resolves to
 * the migrations applied by this call (none when another gateway got there first).
 */
export function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return migratePooledSchema(pool, {
    schema,
    migrations,
    lockKey: advisoryLockKey('strata-gateway-migrations', schema),
    versionName: 'gateway schema',
    subject: PG_METADATA_SUBJECT,
  });
}
