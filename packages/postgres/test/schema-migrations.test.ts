import { randomUUID } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { isFailedPrecondition, isInvalidArgument, isUnavailable } from '@strata/errors';
import { advisoryLockKey, migratePooledSchema, migrateSchema, type Migration, type MigrationPlan } from '@strata/postgres';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';

// One server for the file; every test migrates a schema of its own.
let server: PostgresServer | undefined;
test.before(async () => {
  server = await sharedPostgres();
});
test.after.always(() => server?.stop());

function url(): string {
  if (!server) throw new Error('PostgreSQL did not start');
  return server.url;
}

const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'things', sql: 'CREATE TABLE things (id integer PRIMARY KEY);' },
  { version: 2, name: 'thing names', sql: 'ALTER TABLE things ADD COLUMN name text; CREATE INDEX things_by_name ON things (name);' },
];

function plan(migrations: readonly Migration[] = MIGRATIONS, schema = `m_${randomUUID().replaceAll('-', '')}`): MigrationPlan & { subject: string } {
  return { schema, migrations, lockKey: advisoryLockKey('strata-postgres-test-migrations', schema), versionName: 'test schema', subject: 'test store in PostgreSQL' };
}

async function connected(t: { teardown: (fn: () => Promise<void>) => void }): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  t.teardown(() => client.end());
  return client;
}

async function versions(client: pg.ClientBase, schema: string): Promise<number[]> {
  return (await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((row) => row.version);
}

async function heldLocks(client: pg.ClientBase): Promise<number> {
  return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`)).rows[0]!.n);
}

test('migrations build the schema with their rows, in the schema named', async (t) => {
  const client = await connected(t);
  const todo = plan();
  t.deepEqual(await migrateSchema(client, todo), [1, 2]);
  t.deepEqual(await versions(client, todo.schema), [1, 2]);
  const columns = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'things' ORDER BY ordinal_position`,
    [todo.schema],
  );
  t.deepEqual(columns.rows.map((row) => row.column_name), ['id', 'name']);
  // The lock is let go.
  t.is(await heldLocks(client), 0);
});

test('applying again is a no-op; a later list applies only what the schema lacks', async (t) => {
  const client = await connected(t);
  const first = plan(MIGRATIONS.slice(0, 1));
  t.deepEqual(await migrateSchema(client, first), [1]);
  t.deepEqual(await migrateSchema(client, first), []);
  t.deepEqual(await migrateSchema(client, { ...first, migrations: MIGRATIONS }), [2]);
  t.deepEqual(await migrateSchema(client, { ...first, migrations: MIGRATIONS }), []);
  t.deepEqual(await versions(client, first.schema), [1, 2]);
});

test('a failing migration leaves nothing of itself behind, and the lock is let go', async (t) => {
  const client = await connected(t);
  const todo = plan();
  await migrateSchema(client, todo);
  const broken = [...MIGRATIONS, { version: 3, name: 'half', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
  await t.throwsAsync(migrateSchema(client, { ...todo, migrations: broken }));
  t.deepEqual(await versions(client, todo.schema), [1, 2]);
  t.is((await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`, [todo.schema])).rowCount, 0);
  t.is(await heldLocks(client), 0);
});

test('processes migrating one schema at once migrate it once', async (t) => {
  const todo = plan();
  const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: url(), max: 1 }));
  t.teardown(() => Promise.all(pools.map((pool) => pool.end())).then(() => {}));
  const applied = await Promise.all(pools.map((pool) => migratePooledSchema(pool, todo)));
  // Exactly one of them applied each version.
  t.deepEqual(applied.flat().sort(), [1, 2]);
  t.is(applied.filter((versions) => versions.length > 0).length, 1);
  t.deepEqual(await versions(await connected(t), todo.schema), [1, 2]);
});

test('a schema newer than the migrations known is refused, and left as it is', async (t) => {
  const client = await connected(t);
  const todo = plan();
  await migrateSchema(client, todo);
  const older = { ...todo, migrations: MIGRATIONS.slice(0, 1) };
  const refused = await t.throwsAsync(migrateSchema(client, older));
  t.true(isFailedPrecondition(refused));
  t.like((refused as { details?: Record<string, unknown> }).details, { schema: todo.schema, version: 2, known: 1 });
  const pool = new pg.Pool({ connectionString: url(), max: 1 });
  t.teardown(() => pool.end());
  t.true(isFailedPrecondition(await t.throwsAsync(migratePooledSchema(pool, older))));
  t.deepEqual(await versions(client, todo.schema), [1, 2]);
  t.is(await heldLocks(client), 0);
});

test('a schema name that is not a plain identifier is refused before anything runs', async (t) => {
  const client = await connected(t);
  for (const schema of ['Upper', 'a-b', 'x"; DROP SCHEMA public; --', '']) {
    t.true(isInvalidArgument(await t.throwsAsync(migrateSchema(client, plan(MIGRATIONS, schema)))), schema);
  }
});

test('a pool whose database does not answer is Unavailable', async (t) => {
  const closed = new URL(url());
  // Port 1 on loopback: nothing listens there.
  closed.port = '1';
  const pool = new pg.Pool({ connectionString: closed.toString(), max: 1 });
  t.teardown(() => pool.end());
  const error = await t.throwsAsync(migratePooledSchema(pool, plan()));
  t.true(isUnavailable(error));
  t.is((error as { details?: Record<string, unknown> }).details?.['operation'], 'connect');
});

test('lock keys are 64-bit, stable, and differ by namespace and schema', (t) => {
  const key = advisoryLockKey('strata-gateway-migrations', 'strata_gateway');
  t.is(key, advisoryLockKey('strata-gateway-migrations', 'strata_gateway'));
  const value = BigInt(key);
  t.true(value >= -(2n ** 63n) && value < 2n ** 63n);
  t.not(key, advisoryLockKey('strata-gateway-migrations', 'other'));
  t.not(key, advisoryLockKey('strata-cas-index-migrations', 'strata_gateway'));
});

test('lock keys are pinned: databases migrated and owned by earlier strata keep meeting on the same locks', (t) => {
  t.is(advisoryLockKey('strata-cas-index-migrations', 'strata_cas'), '4622853667485368232');
  t.is(advisoryLockKey('strata-cas-index-owner', 'strata_cas'), '4806396783804249052');
  t.is(advisoryLockKey('strata-gateway-migrations', 'strata_gateway'), '-7463867404239380263');
});
