/**
 * Starts and stops, for development, the real servers strata's scale-out
 * setup uses: PostgreSQL for metadata and a one-machine Ceph whose radosgw
 * serves S3 for packs, both on loopback. `start` prints the environment to
 * use them as shell `export` lines; the services outlive the command, and
 * what it started is recorded in a state directory, so `stop` and `status`
 * work from any shell.
 *
 * Usage: npm run dev-services -- start|stop|status [--state DIR]
 *   eval "$(npm run -s dev-services -- start)"
 *
 * The state directory is $STRATA_DEV_SERVICES_DIR, else
 * strata-dev-services-UID in the OS temp dir; the servers' data lives in it.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type CephInstance,
  isRunning,
  type PostgresInstance,
  startCeph,
  startPostgres,
  stopCeph,
  stopPostgres,
} from '@strata/test-services';

interface State {
  postgres?: PostgresInstance;
  ceph?: CephInstance;
}

const USAGE = 'usage: dev-services.ts start|stop|status [--state DIR]\n';

export function defaultStateDir(): string {
  return process.env.STRATA_DEV_SERVICES_DIR ?? join(tmpdir(), `strata-dev-services-${process.getuid?.() ?? 'user'}`);
}

/** The variables strata's commands and tests read, for the services in `state`. */
export function environment(state: State): Record<string, string> {
  const env: Record<string, string> = {};
  if (state.postgres) env.STRATA_TEST_PG_URL = state.postgres.url;
  if (state.ceph) {
    env.AWS_ENDPOINT_URL = state.ceph.endpoint;
    env.AWS_ACCESS_KEY_ID = state.ceph.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = state.ceph.secretAccessKey;
    env.AWS_REGION = state.ceph.region;
  }
  return env;
}

function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'\n`)
    .join('');
}

async function readState(stateDir: string): Promise<State> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as State;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

async function writeState(stateDir: string, state: State): Promise<void> {
  await writeFile(join(stateDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function allRunning(instance: PostgresInstance | CephInstance | undefined): boolean {
  if (instance === undefined) return false;
  return instance.kind === 'postgresql' ? isRunning(instance.process) : instance.processes.every(isRunning);
}

async function stop(stateDir: string): Promise<void> {
  const state = await readState(stateDir);
  const results = await Promise.allSettled([
    state.postgres ? stopPostgres(state.postgres) : undefined,
    state.ceph ? stopCeph(state.ceph) : undefined,
  ]);
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) throw failed[0]!.reason;
  await rm(join(stateDir, 'state.json'), { force: true });
  process.stderr.write('dev-services: stopped\n');
}

async function start(stateDir: string): Promise<void> {
  const previous = await readState(stateDir);
  if (allRunning(previous.postgres) && allRunning(previous.ceph)) {
    process.stderr.write(`dev-services: already running (state in ${stateDir})\n`);
    process.stdout.write(exportLines(environment(previous)));
    return;
  }
  // Half of a previous set, or a set whose daemons died, goes before a new one starts.
  if (previous.postgres || previous.ceph) await stop(stateDir);

  await mkdir(stateDir, { recursive: true });
  // PostgreSQL runs as the postgres user when this runs as root: it must reach its directory.
  await chmod(stateDir, 0o755);
  process.stderr.write('dev-services: starting PostgreSQL and Ceph (mon, OSD, radosgw)...\n');
  const [postgres, ceph] = await Promise.allSettled([
    startPostgres({ parentDir: stateDir, outliveProcess: true }),
    startCeph({ parentDir: stateDir, outliveProcess: true }),
  ]);
  const state: State = {
    ...(postgres.status === 'fulfilled' ? { postgres: postgres.value } : {}),
    ...(ceph.status === 'fulfilled' ? { ceph: ceph.value } : {}),
  };
  await writeState(stateDir, state);
  if (postgres.status === 'rejected' || ceph.status === 'rejected') {
    await stop(stateDir);
    throw postgres.status === 'rejected' ? postgres.reason : (ceph as PromiseRejectedResult).reason;
  }
  process.stderr.write(
    `dev-services: PostgreSQL up in ${state.postgres!.startMs} ms, Ceph in ${state.ceph!.startMs} ms; state in ${stateDir}\n` +
      'dev-services: S3 clients must use path-style addressing (forcePathStyle)\n',
  );
  process.stdout.write(exportLines(environment(state)));
}

/** Exit code 0 when both services run, 3 when not (as `systemctl status` does). */
async function status(stateDir: string): Promise<number> {
  const state = await readState(stateDir);
  const postgres = allRunning(state.postgres);
  const ceph = allRunning(state.ceph);
  const describe = (running: boolean, recorded: boolean): string => (running ? 'running' : recorded ? 'stopped (run stop, then start)' : 'not started');
  process.stderr.write(`dev-services: PostgreSQL ${describe(postgres, state.postgres !== undefined)}; Ceph ${describe(ceph, state.ceph !== undefined)}\n`);
  if (postgres && ceph) process.stdout.write(exportLines(environment(state)));
  return postgres && ceph ? 0 : 3;
}

export async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { state: { type: 'string' } } });
  } catch (error) {
    process.stderr.write(`dev-services: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const stateDir = parsed.values.state ?? defaultStateDir();
  const [command, ...extra] = parsed.positionals;
  if (extra.length > 0) {
    process.stderr.write(`dev-services: unexpected argument ${extra[0]}\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case 'start':
      await start(stateDir);
      return 0;
    case 'stop':
      await stop(stateDir);
      return 0;
    case 'status':
      return status(stateDir);
    default:
      process.stderr.write(command === undefined ? USAGE : `dev-services: unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`dev-services: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
