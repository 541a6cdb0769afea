import { access, chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { errorCode, isFailedPrecondition, isUnavailable, StrataError } from '@strata/errors';
import { isRunning, type PostgresServer, startPostgres } from '@strata/test-services';

/** A fresh parent dir for servers' temp dirs, so a test can see what they leave behind. */
async function parentDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-test-services-'));
  // Run as root, the server runs as the postgres user, who must reach its directory.
  await chmod(dir, 0o755);
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a server that stops when the test ends, passed or failed. */
async function postgres(t: ExecutionContext, parent: string): Promise<PostgresServer> {
  const server = await startPostgres({ parentDir: parent });
  t.teardown(() => server.stop());
  return server;
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

test('a server on a loopback port takes SQL through pg, and stop leaves nothing behind', async (t) => {
  const parent = await parentDir(t);
  const server = await postgres(t, parent);
  t.log(`PostgreSQL started in ${server.startMs} ms`);
  const url = new URL(server.url);
  t.is(url.protocol, 'postgresql:');
  t.is(url.hostname, '127.0.0.1');
  t.is(Number(url.port), server.port);
  t.is(url.pathname, `/${server.database}`);
  t.true(isRunning(server.process));

  const rows = await withClient(server.url, async (client) => {
    await client.query('CREATE TABLE packs (name text PRIMARY KEY, bytes bigint NOT NULL)');
    await client.query('INSERT INTO packs VALUES ($1, $2), ($3, $4)', ['p1', 1024, 'p2', 2048]);
    return (await client.query<{ name: string; bytes: string }>('SELECT name, bytes FROM packs ORDER BY name')).rows;
  });
  t.deepEqual(rows, [
    { name: 'p1', bytes: '1024' },
    { name: 'p2', bytes: '2048' },
  ]);

  await server.stop();
  t.false(isRunning(server.process));
  t.false(await exists(server.dir));
  t.deepEqual(await readdir(parent), []);
  await t.notThrowsAsync(server.stop());
});

test('the password is required: a wrong one is refused', async (t) => {
  const server = await postgres(t, await parentDir(t));
  const wrong = new URL(server.url);
  wrong.password = 'not-the-password';
  const error = await t.throwsAsync(withClient(wrong.toString(), (client) => client.query('SELECT 1')));
  // 28P01: invalid_password, PostgreSQL's own code for it.
  t.is((error as { code?: string }).code, '28P01');
});

test('two servers run side by side on their own ports and directories', async (t) => {
  const parent = await parentDir(t);
  const [first, second] = await Promise.all([postgres(t, parent), postgres(t, parent)]);
  t.not(first.port, second.port);
  t.not(first.dir, second.dir);

  await withClient(first.url, (client) => client.query('CREATE TABLE only_in_first (id int)'));
  const found = await withClient(second.url, (client) => client.query("SELECT to_regclass('only_in_first') AS found"));
  t.is(found.rows[0].found, null);

  await second.stop();
  t.true(isRunning(first.process));
  await t.notThrowsAsync(withClient(first.url, (client) => client.query('SELECT 1 FROM only_in_first')));
});

test('a server that cannot start fails with Unavailable, carries its log, and leaves nothing behind', async (t) => {
  const parent = await parentDir(t);
  const error = await t.throwsAsync(startPostgres({ parentDir: parent, settings: { shared_buffers: 'plenty' } }));
  t.true(isUnavailable(error), errorCode(error));
  t.true(error instanceof StrataError);
  const { logTail } = (error as StrataError).details;
  t.true(typeof logTail === 'string' && logTail.length > 0);
  t.deepEqual(await readdir(parent), []);
});

test('missing server programs fail with FailedPrecondition before anything is created', async (t) => {
  const parent = await parentDir(t);
  const error = await t.throwsAsync(startPostgres({ parentDir: parent, binDir: join(parent, 'no-such-bin') }));
  t.true(isFailedPrecondition(error), errorCode(error));
  t.deepEqual(await readdir(parent), []);
});
