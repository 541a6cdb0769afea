import { randomBytes } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { createMemoryStore } from '@strata/cas-testsuite';
import { isFailedPrecondition, isInvalidArgument, isUnavailable } from '@strata/errors';
import { MIGRATIONS, PgMetadata, SCHEMA_VERSION, migrate, openMetadata, parseMetadataUrl, redactUrl, startRegistry, type RegistryStore } from '@strata/gateway';
import { runMetadataSuite } from './metadata-suite.ts';
import { postgresForFile } from './postgres-server.ts';
import { imageManifest, pullBlob, pullsBitExact, pushImage, sha256, silent, tempDir } from './support.ts';

const { url, freshSchema } = postgresForFile(test);

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

runMetadataSuite(test, 'postgresql', async () => PgMetadata.open({ url: url(), schema: freshSchema() }));

test('gateways opening a new schema at once migrate it once', async (t) => {
  const schema = freshSchema();
  const opened = await Promise.all(Array.from({ length: 6 }, () => PgMetadata.open({ url: url(), schema, maxConnections: 2 })));
  t.teardown(() => Promise.all(opened.map((metadata) => metadata.close())));
  const rows = await withClient(async (client) => (await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows);
  t.deepEqual(rows.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
  // Each sees what another writes.
  await opened[0]!.linkBlob('shared', `sha256:${'a'.repeat(64)}`);
  t.true(await opened[5]!.isBlobLinked('shared', `sha256:${'a'.repeat(64)}`));
});

test('migrate applies only the versions a schema lacks, each with its row, and a failing one leaves nothing behind', async (t) => {
  const schema = freshSchema();
  const pool = new pg.Pool({ connectionString: url(), max: 2 });
  t.teardown(() => pool.end());
  t.deepEqual(await migrate(pool, schema), MIGRATIONS.map((migration) => migration.version));
  t.deepEqual(await migrate(pool, schema), []);

  const next = SCHEMA_VERSION + 1;
  const broken = [...MIGRATIONS, { version: next, name: 'half', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
  await t.throwsAsync(migrate(pool, schema, broken));
  const state = await withClient(async (client) => ({
    versions: (await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((row) => row.version),
    half: (await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`, [schema])).rowCount,
  }));
  t.deepEqual(state, { versions: MIGRATIONS.map((migration) => migration.version), half: 0 });

  const fixed = [...MIGRATIONS, { version: next, name: 'whole', sql: 'CREATE TABLE whole_done (id int);' }];
  t.deepEqual(await migrate(pool, schema, fixed), [next]);
  // Code that knows fewer versions than the schema has refuses it.
  t.true(isFailedPrecondition(await t.throwsAsync(PgMetadata.open({ url: url(), schema }))));
});

test('schemas keep registries apart on one database', async (t) => {
  const [one, two] = await Promise.all([PgMetadata.open({ url: url(), schema: freshSchema() }), PgMetadata.open({ url: url(), schema: freshSchema() })]);
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  await one.putManifest('a', { digest: `sha256:${'1'.repeat(64)}`, mediaType: 'application/json', size: 2 }, 'v1');
  t.deepEqual(await one.listRepositories({ limit: 10 }), ['a']);
  t.deepEqual(await two.listRepositories({ limit: 10 }), []);
});

test('a schema name that is not a plain identifier is refused before connecting', async (t) => {
  for (const schema of ['Upper', 'a-b', 'x"; DROP SCHEMA public; --', '', '1abc']) {
    t.true(isInvalidArgument(await t.throwsAsync(PgMetadata.open({ url: url(), schema }))), schema);
  }
});

test('a metadata URL names its schema, and its password never shows in errors', async (t) => {
  const parsed = parseMetadataUrl('postgresql://strata:s3cret@127.0.0.1:5432/strata?schema=reg_a&sslmode=disable');
  t.is(parsed.schema, 'reg_a');
  t.false(parsed.url.includes('schema='));
  t.true(parsed.url.includes('sslmode=disable'));
  t.false(redactUrl('postgresql://strata:s3cret@127.0.0.1:5432/strata').includes('s3cret'));
  t.false(redactUrl('postgresql://strata:s3cret@[bad').includes('s3cret'));
  t.true(isInvalidArgument(await t.throwsAsync(openMetadata('mysql://strata:s3cret@127.0.0.1/strata', '.'))));

  const wrong = new URL(url());
  wrong.password = 'not-the-password-x9';
  const refused = await t.throwsAsync(PgMetadata.open({ url: wrong.toString(), schema: freshSchema() }));
  t.false(refused!.message.includes('not-the-password-x9'));
  t.false(JSON.stringify((refused as { details?: unknown }).details ?? {}).includes('not-the-password-x9'));
});

test('a database that does not answer is Unavailable', async (t) => {
  const closed = new URL(url());
  // Port 1 on loopback: nothing listens there.
  closed.port = '1';
  const error = await t.throwsAsync(PgMetadata.open({ url: closed.toString(), schema: freshSchema() }));
  t.true(isUnavailable(error));
});

test('two registries over one schema and one store: push through one, pull through the other, an upload continued across them', async (t) => {
  const store = createMemoryStore();
  // Each registry closes its store: the shared one stays open until the test ends.
  const shared = new Proxy(store, {
    get(target, name) {
      if (name === 'close') return async () => {};
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as RegistryStore;
  const metadata = `${url()}?schema=${freshSchema()}`;
  const [one, two] = await Promise.all([
    startRegistry({ dataDir: await tempDir(t), port: 0, logger: silent, store: shared, metadata }),
    startRegistry({ dataDir: await tempDir(t), port: 0, logger: silent, store: shared, metadata }),
  ]);
  t.teardown(async () => {
    await one.close();
    await two.close();
  });
  const built = imageManifest(randomBytes(200), [randomBytes(5000), randomBytes(7000)]);
  t.is((await pushImage(one.url, 'team/app', built, 'v1')).status, 201);
  t.true(await pullsBitExact(two.url, 'team/app', 'v1', built));
  t.deepEqual(await two.metadata.listTags('team/app', { limit: 10 }), ['v1']);

  const bytes = randomBytes(10_000);
  const started = await fetch(`${one.url}/v2/team/app/blobs/uploads/`, { method: 'POST' });
  const location = new URL(started.headers.get('location')!, one.url).pathname;
  t.is((await fetch(`${one.url}${location}`, { method: 'PATCH', body: bytes.subarray(0, 4000), headers: { 'content-range': '0-3999' } })).status, 202);
  const status = await fetch(`${two.url}${location}`);
  t.is(status.headers.get('range'), '0-3999');
  t.is((await fetch(`${two.url}${location}`, { method: 'PATCH', body: bytes.subarray(4000), headers: { 'content-range': '4000-9999' } })).status, 202);
  t.is((await fetch(`${one.url}${location}?digest=${sha256(bytes)}`, { method: 'PUT' })).status, 201);
  t.true((await pullBlob(two.url, 'team/app', sha256(bytes))).equals(bytes));
});
