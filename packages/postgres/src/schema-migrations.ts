/**
 * Versioned schema migrations, the one way strata's PostgreSQL stores build
 * and upgrade their tables.
 *
 *   <schema>
 *   ├── schema_migrations   version -> name, applied_at
 *   └── ...                 what the migrations create
 *
 * Migrations are numbered and applied in order, each in its own
 * transaction together with its row in schema_migrations, under a session
 * advisory lock: processes starting at once wait for one another, and the
 * later ones find nothing left to do. A schema migrated past what the
 * caller knows is refused (FailedPrecondition) rather than guessed at.
 */
import type pg from 'pg';
import { StrataError } from '@strata/errors';
import { postgresError } from './postgres-error.ts';
import { checkSchemaName } from './schema-name.ts';

export interface Migration {
  version: number;
  name: string;
  /** Statements run with the schema first on the search path. */
  sql: string;
}

export interface MigrationPlan {
  schema: string;
  /** In ascending version order; the last one's version is the newest the caller knows. */
  migrations: readonly Migration[];
  /** The advisory lock key (advisoryLockKey) every process migrating this schema takes. */
  lockKey: string;
  /** What the schema's version is called when refusing a newer one: "index schema", "gateway schema". */
  versionName: string;
}

/**
 * Brings `plan.schema` to the newest version of `plan.migrations` on
 * `client`, creating the schema when absent; resolves to the versions this
 * call applied. Failures other than the refusal of a newer schema are
 * `pg`'s own. The connection is the caller's to keep using, so a lock that
 * could not be let go is an error: the caller must end the connection.
 */
export function migrateSchema(client: pg.ClientBase, plan: MigrationPlan): Promise<number[]> {
  return migrateLocked(client, plan, (error) => {
    throw error;
  });
}

/**
 * migrateSchema on a connection of `pool`, with every failure a StrataError
 * (postgresError, `subject` naming the store): `connect` when no connection
 * could be had, `schema migration` otherwise. A connection that could not
 * let go of the lock is closed rather than pooled, which lets go of it.
 */
export async function migratePooledSchema(pool: pg.Pool, plan: MigrationPlan & { subject: string }): Promise<number[]> {
  checkSchemaName(plan.schema);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw postgresError(plan.subject, 'connect', error);
  }
  let broken = false;
  try {
    return await migrateLocked(client, plan, () => {
      broken = true;
    });
  } catch (error) {
    throw postgresError(plan.subject, 'schema migration', error);
  } finally {
    client.release(broken);
  }
}

async function migrateLocked(client: pg.ClientBase, plan: MigrationPlan, unlockFailed: (error: unknown) => void): Promise<number[]> {
  const { schema, migrations, lockKey } = plan;
  const quoted = `"${checkSchemaName(schema)}"`;
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
      throw new StrataError('FailedPrecondition', `PostgreSQL schema ${schema} is at ${plan.versionName} version ${current}, newer than this strata (${known}); upgrade strata`, {
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
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(unlockFailed);
  }
}
