import { spawn } from 'node:child_process';
import { access, chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { repositoryRoot } from './workspace-fixture.ts';

const script = join(repositoryRoot, 'tools', 'src', 'dev-services.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script as a developer's shell would, each command in a process of its own. */
function devServices(args: readonly string[]): Promise<Run> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (piece: string) => (stdout += piece));
  child.stderr.setEncoding('utf8').on('data', (piece: string) => (stderr += piece));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function stateDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-dev-services-'));
  // Whatever a failed assertion leaves running goes with the test.
  t.teardown(async () => {
    await devServices(['stop', '--state', dir]);
    await rm(dir, { recursive: true, force: true });
  });
  await chmod(dir, 0o755);
  return dir;
}

/** The variables of `export NAME='value'` lines. */
function exported(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)) env[match[1]!] = match[2]!;
  return env;
}

test('start prints the environment, status and stop work from other processes, and stop leaves nothing', async (t) => {
  const dir = await stateDir(t);
  const started = await devServices(['start', '--state', dir]);
  t.is(started.code, 0, started.stderr);
  const env = exported(started.stdout);
  t.deepEqual(Object.keys(env).sort(), ['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'STRATA_TEST_PG_URL']);
  t.is(new URL(env.AWS_ENDPOINT_URL!).hostname, '127.0.0.1');

  const client = new pg.Client({ connectionString: env.STRATA_TEST_PG_URL });
  await client.connect();
  t.is((await client.query('SELECT 1 AS one')).rows[0].one, 1);
  await client.end();
  t.true((await fetch(env.AWS_ENDPOINT_URL!)).ok);

  const status = await devServices(['status', '--state', dir]);
  t.deepEqual({ code: status.code, env: exported(status.stdout) }, { code: 0, env });
  const again = await devServices(['start', '--state', dir]);
  t.deepEqual({ code: again.code, env: exported(again.stdout) }, { code: 0, env });

  t.is((await devServices(['stop', '--state', dir])).code, 0);
  t.is((await devServices(['status', '--state', dir])).code, 3);
  t.deepEqual(await readdir(dir), []);
  await t.throwsAsync(fetch(env.AWS_ENDPOINT_URL!));
  t.is((await devServices(['stop', '--state', dir])).code, 0);
});

test('status with nothing started exits 3; an unknown command exits 2', async (t) => {
  const dir = await stateDir(t);
  t.is((await devServices(['status', '--state', dir])).code, 3);
  t.is((await devServices(['restart', '--state', dir])).code, 2);
  t.is((await devServices([])).code, 2);
  t.deepEqual(await readdir(dir), []);
  await t.throwsAsync(access(join(dir, 'state.json')));
});
