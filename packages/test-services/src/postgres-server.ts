import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { isUnavailable, StrataError } from '@strata/errors';
import { cleanUpAtExit, isRunning, type OwnedProcess, spawnOwned, stopOwned, waitForExit } from './owned-process.ts';
import { logTails, waitUntilReady } from './readiness.ts';
import { requireExecutable, runCommand } from './run-command.ts';
import { giveTo, type ServiceUser, serviceUser } from './service-user.ts';

/** Debian's PostgreSQL 15 server programs. */
export const DEFAULT_POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

const LOOPBACK = '127.0.0.1';
const PORT_ATTEMPTS = 3;

export interface PostgresOptions {
  /** Where initdb, postgres and pg_ctl are; default $STRATA_PG_BINDIR, else Debian's PostgreSQL 15. */
  binDir?: string;
  /** The database created for the caller; default `strata`. */
  database?: string;
  /** The superuser initdb creates, who owns the database; default `strata`. */
  user?: string;
  /**
   * The directory the server's temp dir is made in; default the OS temp dir.
   * Run as root, the server runs as the `postgres` user, who must be able to
   * enter it (mkdtemp makes directories only their owner may enter).
   */
  parentDir?: string;
  /** How long start may take before it fails; default 120 s (a loaded CI machine is slow). */
  timeoutMs?: number;
  /**
   * Keep fsync and full-page writes on. Off by default: test data dies with
   * the directory, and a killed server (not a killed machine) loses nothing
   * committed either way.
   */
  durable?: boolean;
  /** More server settings, passed as `-c name=value`. */
  settings?: Readonly<Record<string, string>>;
  /**
   * Leave the server running when this process exits (dev-services). By
   * default a process that exits without stopping it kills it.
   */
  outliveProcess?: boolean;
}

/** A running server as plain data: enough to use it, and to stop it from another process. */
export interface PostgresInstance {
  kind: 'postgresql';
  /** `postgresql://USER:PASSWORD@127.0.0.1:PORT/DATABASE`, what `pg` and `psql` take. */
  url: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** The temp dir holding the cluster, its log and nothing else; removed by stop. */
  dir: string;
  dataDir: string;
  binDir: string;
  process: OwnedProcess;
  runAs: ServiceUser;
  /** Milliseconds from the call to start until the database accepted connections. */
  startMs: number;
}

export interface PostgresServer extends PostgresInstance {
  /** `pg_ctl stop -m fast`, then removes the directory. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL on a free loopback port: initdb into a temp
 * dir, the postmaster as a daemon this process owns (no systemd, no
 * pg_ctlcluster), password authentication, and a database for the caller.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const started = Date.now();
  const binDir = options.binDir ?? process.env.STRATA_PG_BINDIR ?? DEFAULT_POSTGRES_BIN_DIR;
  const bin = (program: string): string => join(binDir, program);
  for (const program of ['initdb', 'postgres', 'pg_ctl', 'pg_isready', 'createdb']) {
    await requireExecutable(bin(program), 'postgresql-15');
  }
  const runAs = await serviceUser('postgres');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const database = options.database ?? 'strata';
  const user = options.user ?? 'strata';
  const password = randomBytes(18).toString('hex');

  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'strata-pg-'));
  const dataDir = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const processes: OwnedProcess[] = [];
  const forgetAtExit = options.outliveProcess ? () => {} : cleanUpAtExit(processes, dir);

  const fail = async (error: unknown): Promise<never> => {
    for (const owned of processes) await stopOwned(owned, 'SIGKILL', 0).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    forgetAtExit();
    throw error;
  };

  try {
    await giveTo(runAs, dir);
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await giveTo(runAs, passwordFile);
    await runCommand(
      bin('initdb'),
      ['-D', dataDir, '-U', user, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...runAs, cwd: dir, timeoutMs },
    );
    await rm(passwordFile);

    for (let attempt = 1; ; attempt++) {
      const port = await getPort({ host: LOOPBACK });
      const owned = await spawnOwned({
        name: 'postgres',
        command: bin('postgres'),
        args: ['-D', dataDir, ...serverSettings(port, options).flatMap((setting) => ['-c', setting])],
        log,
        cwd: dir,
        ...runAs,
      });
      processes.push(owned);
      try {
        await waitUntilReady(
          async () => {
            await runCommand(bin('pg_isready'), ['-q', '-h', LOOPBACK, '-p', String(port), '-t', '1'], { timeoutMs: 5_000 });
            return true;
          },
          { what: `PostgreSQL on ${LOOPBACK}:${port}`, timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)), processes: [owned], logs: [log] },
        );
      } catch (error) {
        // Another process may take the port between getPort and the bind: pick another.
        if (isUnavailable(error) && attempt < PORT_ATTEMPTS && (await portWasTaken(log))) {
          processes.pop();
          continue;
        }
        throw error;
      }

      const env = { ...process.env, PGPASSWORD: password };
      await runCommand(bin('createdb'), ['-h', LOOPBACK, '-p', String(port), '-U', user, database], { env, timeoutMs: 30_000 });
      const instance: PostgresInstance = {
        kind: 'postgresql',
        url: `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${encodeURIComponent(database)}`,
        host: LOOPBACK,
        port,
        database,
        user,
        password,
        dir,
        dataDir,
        binDir,
        process: owned,
        runAs,
        startMs: Date.now() - started,
      };
      return withStop(instance, forgetAtExit);
    }
  } catch (error) {
    return fail(error);
  }
}

function serverSettings(port: number, options: PostgresOptions): string[] {
  const settings: Record<string, string> = {
    listen_addresses: LOOPBACK,
    port: String(port),
    // TCP only: Debian's default socket directory belongs to the system cluster.
    unix_socket_directories: '',
    ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' }),
    ...options.settings,
  };
  return Object.entries(settings).map(([name, value]) => `${name}=${value}`);
}

async function portWasTaken(log: string): Promise<boolean> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return /could not bind|Address already in use/.test(text);
}

function withStop(instance: PostgresInstance, forgetAtExit: () => void): PostgresServer {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopPostgres(instance).then(forgetAtExit);
    return stopping;
  };
  return { ...instance, stop, [Symbol.asyncDispose]: stop };
}

/**
 * Stops a server started by startPostgres, in this process or another:
 * `pg_ctl stop -m fast`, SIGKILL to its process group if that does not end
 * it, then the directory goes. Safe to call again.
 */
export async function stopPostgres(instance: PostgresInstance): Promise<void> {
  if (isRunning(instance.process)) {
    try {
      await runCommand(join(instance.binDir, 'pg_ctl'), ['stop', '-D', instance.dataDir, '-m', 'fast', '-w', '-t', '30'], {
        ...instance.runAs,
        timeoutMs: 40_000,
      });
    } catch {
      // The fallback below ends it; pg_ctl's complaint would only hide that it is gone.
    }
    if (!(await waitForExit(instance.process, 5_000))) await stopOwned(instance.process, 'SIGKILL', 0);
  }
  try {
    await rm(instance.dir, { recursive: true, force: true });
  } catch (error) {
    throw new StrataError('Internal', `cannot remove ${instance.dir}: ${(error as Error).message}\n${await logTails([instance.process.log])}`, {
      cause: error,
      details: { dir: instance.dir },
    });
  }
}
