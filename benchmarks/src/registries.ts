/**
 * The registries the pull suite compares: `strata serve` and the CNCF
 * distribution registry Debian ships as `docker-registry`, each a process of
 * its own on 127.0.0.1 with its data in a temp directory, started, restarted
 * and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';
import { firstLine } from './measure.ts';
import { STRATA_CLI, strataVersion } from './report.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

/** A registry under test, running. */
export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /**
   * Stops the process and starts it again over the same data and port: the
   * next request is a cold one. `whileStopped` runs in between (offline work
   * on the data directory).
   */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryKind {
  readonly name: string;
  readonly settings: string;
  version(): Promise<string>;
  /**
   * Starts the registry with its data and log in `dir`; `extraArgs` go to
   * strata's command line (variants of one suite); `port` is a loopback port
   * to listen on instead of a free one the kernel picks.
   */
  start(dir: string, extraArgs?: readonly string[], port?: number): Promise<RunningRegistry>;
}

export const strataRegistry: RegistryKind = {
  name: 'strata',
  settings: 'strata serve --data DIR (gateway and engine in one process)',
  version: strataVersion,
  start: (dir, extraArgs = [], port) =>
    startRegistry(
      dir,
      async (listenPort) => [process.execPath, [STRATA_CLI, 'serve', '--data', join(dir, 'data'), '--listen', `127.0.0.1:${listenPort}`, ...extraArgs]],
      port,
    ),
};

export const distributionRegistry: RegistryKind = {
  name: 'distribution',
  settings: 'docker-registry serve CONFIG: filesystem storage, in-memory blob descriptor cache, no auth',
  version: distributionVersion,
  start: (dir, _extraArgs, port) =>
    startDistribution(dir, [`  filesystem:`, `    rootdirectory: ${JSON.stringify(join(dir, 'data'))}`], port),
};

function distributionVersion(): Promise<string> {
  return firstLine('docker-registry', ['--version']);
}

/** Where docker-registry's `s3` storage driver keeps its objects. */
export interface S3Target {
  /** `http://HOST:PORT` of an S3 endpoint that addresses buckets by path. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/**
 * docker-registry with its `s3` storage driver on an S3-compatible endpoint.
 * Redirects are off: every blob byte goes through the registry, as it goes
 * through a strata gateway, and clients need no route to the object store.
 */
export function distributionOnS3(target: S3Target): RegistryKind {
  return {
    name: 'distribution',
    settings: `docker-registry serve CONFIG: s3 storage driver (regionendpoint ${target.endpoint.replace(/:\d+$/, ':PORT')}, path-style, plain HTTP, v4 signatures, redirect disabled), in-memory blob descriptor cache, no auth`,
    version: distributionVersion,
    start: (dir, _extraArgs, port) =>
      startDistribution(
        dir,
        [
          '  s3:',
          `    accesskey: ${JSON.stringify(target.accessKeyId)}`,
          `    secretkey: ${JSON.stringify(target.secretAccessKey)}`,
          `    region: ${JSON.stringify(target.region)}`,
          `    regionendpoint: ${JSON.stringify(target.endpoint)}`,
          `    bucket: ${JSON.stringify(target.bucket)}`,
          '    forcepathstyle: true',
          '    secure: false',
          '    v4auth: true',
          '  redirect:',
          '    disable: true',
        ],
        port,
      ),
  };
}

/**
 * This process's environment without its AWS settings: a store pointed at
 * the benchmark's object store gets its credentials from the suite alone
 * (an `AWS_CA_BUNDLE` of the machine, say, would make the S3 SDKs fail on
 * a plain-HTTP endpoint).
 */
export function environmentWithoutAws(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
}

/** docker-registry with the given `storage:` driver lines (indented two spaces) on 127.0.0.1. */
function startDistribution(dir: string, driver: readonly string[], port?: number): Promise<RunningRegistry> {
  return startRegistry(
    dir,
    async (listenPort) => {
      const config = join(dir, 'config.yml');
      const yaml = [
        'version: 0.1',
        'storage:',
        '  cache:',
        '    blobdescriptor: inmemory',
        ...driver,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${listenPort}`,
      ];
      await writeFile(config, `${yaml.join('\n')}\n`);
      return ['docker-registry', ['serve', config]];
    },
    port,
    environmentWithoutAws(),
  );
}

/** Processes still running, killed when the benchmark exits whatever the way out. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

/** The registry's command line for a port, once its configuration is written. */
type CommandLine = (port: number) => Promise<[string, string[]]>;

async function startRegistry(dir: string, commandLine: CommandLine, fixedPort?: number, env?: NodeJS.ProcessEnv): Promise<RunningRegistry> {
  const port = fixedPort ?? (await freePort());
  const [command, args] = await commandLine(port);
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const logFile = join(dir, 'registry.log');
  let current = await launch(command, args, logFile, url, env);
  return {
    host,
    url,
    async restart(whileStopped) {
      await current.stop();
      await whileStopped?.();
      current = await launch(command, args, logFile, url, env);
    },
    stop: () => current.stop(),
  };
}

/** A port the kernel just handed out on 127.0.0.1, closed again for the registry to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Tracks a child this module started and returns its stop: SIGTERM, then
 * SIGKILL after a grace period; the log closes once the child is gone.
 */
function owned(child: ChildProcess, log: WriteStream): () => Promise<void> {
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => running.delete(child));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
      if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
      clearTimeout(timer);
    }
    await exited;
    log.close();
  };
}

async function launch(command: string, args: string[], logFile: string, url: string, env?: NodeJS.ProcessEnv): Promise<{ stop(): Promise<void> }> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  // Its own process group: a Ctrl-C at the terminal reaches the benchmark, which stops the registry itself.
  const child = spawn(command, args, { stdio: ['ignore', log, log], detached: true, env: env ?? process.env });
  const stop = owned(child, log);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new StrataError('Unavailable', `${command}: ${error.message}`, { cause: error })));
    });
    await waitUntilServing(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

async function waitUntilServing(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const ok = await fetch(`${url}/v2/`).then(
      async (response) => (await response.arrayBuffer(), response.status === 200),
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
  throw new StrataError('Unavailable', `registry at ${url} did not answer GET /v2/: ${tail}`);
}

/** `strata cas` running on a loopback port the kernel picked. */
export interface RunningCas {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StrataCasOptions {
  /** More arguments for `strata cas` (where packs and the index live). */
  args?: readonly string[];
  /** Its environment (credentials of an object store); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** A loopback port to listen on (a restart keeps its clients' address); default one the kernel picks. */
  port?: number;
}

/** Starts `strata cas --data DIR/data` on 127.0.0.1 and waits for its "listening on" line. */
export async function startStrataCas(dir: string, options: StrataCasOptions = {}): Promise<RunningCas> {
  const logFile = join(dir, 'cas.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  const args = [STRATA_CLI, 'cas', '--data', join(dir, 'data'), '--listen', `127.0.0.1:${options.port ?? 0}`, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', log],
    detached: true,
    env: options.env ?? process.env,
  });
  const stop = owned(child, log);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new StrataError('Unavailable', 'strata cas did not start listening')), READY_TIMEOUT_MS);
      child.stdout.on('data', (piece: Buffer) => {
        text += piece.toString();
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('error', (error) => reject(new StrataError('Unavailable', `strata cas: ${error.message}`, { cause: error })));
      child.once('close', (code) => {
        clearTimeout(timer);
        void readFile(logFile, 'utf8')
          .catch(() => '')
          .then((text) => reject(new StrataError('Unavailable', `strata cas exited (${code}) before listening: ${text.trim().split('\n').slice(-5).join('\n')}`)));
      });
    });
    child.stdout.resume();
    return { host: '127.0.0.1', port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
