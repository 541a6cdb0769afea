/**
 * One PostgreSQL and one Ceph for a whole test run. Starting Ceph costs
 * 10–20 s of both cores, so the test runner starts each service once and
 * names them in a file (STRATA_TEST_SERVICES_FILE); every test file then
 * asks for them here and gets a database of its own on the shared
 * PostgreSQL, or the shared Ceph (buckets and prefixes are the caller's to
 * keep apart). Run on its own (no file named), a test file starts its own
 * servers as before. Stopping what this returns stops only what it started.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CephCluster, type CephInstance, cephMemory, startCeph } from './ceph-cluster.ts';
import { type PostgresInstance, type PostgresServer, startPostgres } from './postgres-server.ts';
import { runCommand } from './run-command.ts';

export const SHARED_SERVICES_ENV = 'STRATA_TEST_SERVICES_FILE';

interface SharedState {
  postgres?: PostgresInstance;
  ceph?: CephInstance;
}

async function sharedState(): Promise<SharedState | undefined> {
  const file = process.env[SHARED_SERVICES_ENV];
  if (!file) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as SharedState;
}

/** A PostgreSQL for one test file: a fresh database on the run's server, or a server of its own. */
export async function sharedPostgres(): Promise<PostgresServer> {
  const shared = (await sharedState())?.postgres;
  if (!shared) return startPostgres();
  const database = `t_${randomBytes(8).toString('hex')}`;
  await runCommand(join(shared.binDir, 'createdb'), ['-h', shared.host, '-p', String(shared.port), '-U', shared.user, database], {
    env: { ...process.env, PGPASSWORD: shared.password },
    timeoutMs: 30_000,
  });
  const url = new URL(shared.url);
  url.pathname = `/${database}`;
  const stop = async (): Promise<void> => {};
  return { ...shared, database, url: url.toString(), stop, [Symbol.asyncDispose]: stop };
}

/** The run's Ceph, or a cluster of the test file's own. */
export async function sharedCeph(): Promise<CephCluster> {
  const shared = (await sharedState())?.ceph;
  if (!shared) return startCeph();
  const stop = async (): Promise<void> => {};
  return { ...shared, memory: () => cephMemory(shared), stop, [Symbol.asyncDispose]: stop };
}

/**
 * Starts the run's services and writes the file that names them; `stop`
 * stops them. For the test runner.
 */
export async function startSharedServices(file: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const [postgres, ceph] = await Promise.all([startPostgres(), startCeph()]);
  const state: SharedState = { postgres: withoutStop(postgres), ceph: withoutStop(ceph) };
  await writeFile(file, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  return {
    env: { [SHARED_SERVICES_ENV]: file },
    stop: async () => {
      await Promise.allSettled([postgres.stop(), ceph.stop()]);
    },
  };
}

function withoutStop<T extends object>(server: T): T {
  const plain = { ...server } as Record<string, unknown>;
  for (const key of Object.keys(plain)) if (typeof plain[key] === 'function') delete plain[key];
  return plain as T;
}
