import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import getPort from 'get-port';
import { isUnavailable, StrataError } from '@strata/errors';
import { cephPaths, MON_ID, OSD_ID, renderCephConfig, RGW_NAME } from './ceph-config.ts';
import { cleanUpAtExit, type OwnedProcess, residentBytes, spawnOwned, stopOwned } from './owned-process.ts';
import { logTails, waitUntilReady } from './readiness.ts';
import { requireExecutable, runCommand } from './run-command.ts';

const LOOPBACK = '127.0.0.1';
const START_ATTEMPTS = 2;
const CLI_TIMEOUT_MS = 60_000;

export interface CephOptions {
  /** The directory the cluster's temp dir is made in; default the OS temp dir. */
  parentDir?: string;
  /** How long start may take before it fails; default 180 s (a loaded CI machine is slow). */
  timeoutMs?: number;
  /** Size of the OSD's sparse block file; default 10 GiB. */
  osdSizeBytes?: number;
  /** More [global] ceph.conf settings, by Ceph option name. */
  settings?: Readonly<Record<string, string>>;
  /** Leave the daemons running when this process exits (dev-services); by default they die with it. */
  outliveProcess?: boolean;
}

/** A running cluster as plain data: enough to use it, and to stop it from another process. */
export interface CephInstance {
  kind: 'ceph';
  /** radosgw's S3 endpoint, `http://127.0.0.1:PORT`; clients must use path-style addressing. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Any region signs requests RGW accepts; this one makes clients send no LocationConstraint. */
  region: string;
  /** The S3 user's RGW uid. */
  userId: string;
  /** The temp dir holding config, keyrings, data, sockets and logs; removed by stop. */
  dir: string;
  conf: string;
  fsid: string;
  /** mon, osd and radosgw, in start order. */
  processes: OwnedProcess[];
  /** Milliseconds from the call to start until radosgw served S3 with the user in place. */
  startMs: number;
}

export interface CephMemory {
  /** Resident bytes per daemon name. */
  daemons: Record<string, number>;
  total: number;
}

export interface CephCluster extends CephInstance {
  /** Resident memory of the daemons now. */
  memory(): CephMemory;
  /** Stops the daemons (radosgw, OSD, monitor) and removes the directory. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const PROGRAMS = {
  'ceph-authtool': 'ceph-common',
  monmaptool: 'ceph-common',
  ceph: 'ceph-common',
  'ceph-mon': 'ceph-mon',
  'ceph-osd': 'ceph-osd',
  radosgw: 'radosgw',
  'radosgw-admin': 'radosgw',
} as const;

/**
 * Starts a one-machine Ceph with an S3 gateway, from nothing, in a temp dir:
 * a monitor, one bluestore OSD on a sparse file and radosgw (beast) on a free
 * loopback port, each a daemon this process owns, then an S3 user. No
 * systemd, no /etc/ceph, no /var/lib/ceph.
 */
export async function startCeph(options: CephOptions = {}): Promise<CephCluster> {
  const started = Date.now();
  for (const [program, debianPackage] of Object.entries(PROGRAMS)) await requireExecutable(program, debianPackage);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCephOnce(options, started);
    } catch (error) {
      // Another process may take a port between getPort and the bind: start again on others.
      if (!(isUnavailable(error) && attempt < START_ATTEMPTS && portWasTaken(error))) throw error;
    }
  }
}

function portWasTaken(error: unknown): boolean {
  const tail = (error as StrataError).details?.logTail;
  return typeof tail === 'string' && /Address already in use|unable to bind/i.test(tail);
}

async function startCephOnce(options: CephOptions, started: number): Promise<CephCluster> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const remainingMs = (): number => Math.max(0, timeoutMs - (Date.now() - started));
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'strata-ceph-'));
  const paths = cephPaths(dir);
  const processes: OwnedProcess[] = [];
  const forgetAtExit = options.outliveProcess ? () => {} : cleanUpAtExit(processes, dir);
  const logs = {
    mon: join(paths.logs, `mon.${MON_ID}.log`),
    osd: join(paths.logs, `osd.${OSD_ID}.log`),
    rgw: join(paths.logs, `${RGW_NAME}.log`),
  };
  const allLogs = (): string[] => [logs.mon, logs.osd, logs.rgw, ...processes.map((owned) => owned.log)];

  try {
    const fsid = randomUUID();
    const monPort = await getPort({ host: LOOPBACK });
    const rgwPort = await getPort({ host: LOOPBACK });
    for (const path of [paths.run, paths.crash, paths.logs, dirname(paths.monData), paths.osdData, paths.rgwData]) await mkdir(path, { recursive: true });
    await writeFile(paths.conf, renderCephConfig({ dir, fsid, monPort, rgwPort, osdSizeBytes: options.osdSizeBytes ?? 10 * 1024 ** 3, settings: options.settings }));
    const conf = ['-c', paths.conf];
    const tool = (program: string, args: readonly string[]): Promise<string> =>
      runCommand(program, args, { cwd: dir, timeoutMs: Math.min(CLI_TIMEOUT_MS, remainingMs()) });
    const ceph = (...args: string[]): Promise<string> => tool('ceph', [...conf, '--connect-timeout', '30', ...args]);

    // Every daemon's key goes into the monitor's keyring before its mkfs, so
    // the monitor starts knowing them all and no `ceph auth` round trip is needed.
    const keyrings: Array<[string, string, string[]]> = [
      [paths.adminKeyring, 'client.admin', ['mon', 'allow *', 'osd', 'allow *', 'mgr', 'allow *']],
      [join(paths.osdData, 'keyring'), `osd.${OSD_ID}`, ['mon', 'allow profile osd', 'mgr', 'allow profile osd', 'osd', 'allow *']],
      [paths.rgwKeyring, RGW_NAME, ['mon', 'allow rw', 'osd', 'allow rwx']],
    ];
    await tool('ceph-authtool', ['--create-keyring', paths.monKeyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *']);
    for (const [keyring, name, caps] of keyrings) {
      const capArgs = caps.flatMap((value, i) => (i % 2 === 0 ? ['--cap', value] : [value]));
      await tool('ceph-authtool', ['--create-keyring', keyring, '--gen-key', '-n', name, ...capArgs]);
      await tool('ceph-authtool', [paths.monKeyring, '--import-keyring', keyring]);
    }
    await tool('monmaptool', ['--create', '--addv', MON_ID, `[v2:${LOOPBACK}:${monPort}]`, '--fsid', fsid, paths.monmap]);
    await tool('ceph-mon', [...conf, '--mkfs', '-i', MON_ID, '--monmap', paths.monmap, '--keyring', paths.monKeyring]);

    // The OSD's mkfs needs no monitor: it runs while the monitor starts.
    const osdUuid = randomUUID();
    const osdMkfs = tool('ceph-osd', [...conf, '-i', String(OSD_ID), '--mkfs', '--osd-uuid', osdUuid, '--no-mon-config']);
    osdMkfs.catch(() => {});

    const mon = await spawnOwned({ name: 'ceph-mon', command: 'ceph-mon', args: [...conf, '-i', MON_ID, '-f'], log: join(paths.logs, 'ceph-mon.out'), cwd: dir });
    processes.push(mon);
    await waitUntilReady(() => acceptsConnections(monPort), {
      what: `the Ceph monitor on ${LOOPBACK}:${monPort}`,
      timeoutMs: remainingMs(),
      processes: [mon],
      logs: allLogs(),
      intervalMs: 50,
    });
    await osdMkfs;
    await ceph('osd', 'new', osdUuid, String(OSD_ID));
    const osd = await spawnOwned({ name: 'ceph-osd', command: 'ceph-osd', args: [...conf, '-i', String(OSD_ID), '-f'], log: join(paths.logs, 'ceph-osd.out'), cwd: dir });
    processes.push(osd);

    // radosgw creates its pools as it starts, which waits for the OSD to come up.
    const rgw = await spawnOwned({ name: 'radosgw', command: 'radosgw', args: [...conf, '-n', RGW_NAME, '-f'], log: join(paths.logs, 'radosgw.out'), cwd: dir });
    processes.push(rgw);
    const endpoint = `http://${LOOPBACK}:${rgwPort}`;
    await waitUntilReady(
      async () => {
        const response = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.ok;
      },
      { what: `radosgw to serve S3 at ${endpoint}`, timeoutMs: remainingMs(), processes, logs: allLogs(), intervalMs: 250 },
    );

    const userId = 'strata';
    const accessKeyId = randomBytes(10).toString('hex').toUpperCase();
    const secretAccessKey = randomBytes(20).toString('base64url');
    await tool('radosgw-admin', [...conf, 'user', 'create', `--uid=${userId}`, '--display-name=strata tests', `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]);

    const instance: CephInstance = {
      kind: 'ceph',
      endpoint,
      accessKeyId,
      secretAccessKey,
      region: 'us-east-1',
      userId,
      dir,
      conf: paths.conf,
      fsid,
      processes,
      startMs: Date.now() - started,
    };
    return withStop(instance, forgetAtExit);
  } catch (error) {
    for (const owned of [...processes].reverse()) await stopOwned(owned, 'SIGKILL', 0).catch(() => {});
    const withLogs = error instanceof StrataError && error.details.logTail === undefined ? await attachLogs(error, allLogs()) : error;
    await rm(dir, { recursive: true, force: true });
    forgetAtExit();
    throw withLogs;
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A failed command's error gains the daemons' log tails, which usually say why. */
async function attachLogs(error: StrataError, logs: readonly string[]): Promise<StrataError> {
  const tails = await logTails(logs);
  return new StrataError(error.code, `${error.message}\n${tails}`, { cause: error, details: { ...error.details, logTail: tails } });
}

function withStop(instance: CephInstance, forgetAtExit: () => void): CephCluster {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= stopCeph(instance).then(forgetAtExit);
    return stopping;
  };
  return { ...instance, memory: () => cephMemory(instance), stop, [Symbol.asyncDispose]: stop };
}

export function cephMemory(instance: CephInstance): CephMemory {
  const daemons = Object.fromEntries(instance.processes.map((owned) => [owned.name, residentBytes(owned)]));
  return { daemons, total: Object.values(daemons).reduce((sum, bytes) => sum + bytes, 0) };
}

/**
 * Stops a cluster started by startCeph, in this process or another: radosgw,
 * then the OSD, then the monitor, each by its process group (SIGTERM, then
 * SIGKILL after a grace period; the data is thrown away anyway), then the
 * directory goes. Safe to call again.
 */
export async function stopCeph(instance: CephInstance): Promise<void> {
  for (const owned of [...instance.processes].reverse()) await stopOwned(owned, 'SIGTERM', 5_000);
  await rm(instance.dir, { recursive: true, force: true });
}

/** Runs the `ceph` command against the cluster as client.admin; returns stdout. */
export function cephCommand(instance: CephInstance, args: readonly string[]): Promise<string> {
  return runCommand('ceph', ['-c', instance.conf, '--connect-timeout', '30', ...args], { cwd: instance.dir, timeoutMs: CLI_TIMEOUT_MS });
}

/** Runs `radosgw-admin` against the cluster (usage logs, quotas, more users); returns stdout. */
export function radosgwAdmin(instance: CephInstance, args: readonly string[]): Promise<string> {
  return runCommand('radosgw-admin', ['-c', instance.conf, ...args], { cwd: instance.dir, timeoutMs: CLI_TIMEOUT_MS });
}

/**
 * The AWS SDK v3 S3Client configuration for the cluster (a plain object, so
 * this package does not depend on the SDK): radosgw serves buckets by path,
 * not as subdomains of the endpoint.
 */
export function s3ClientConfig(instance: CephInstance) {
  return {
    endpoint: instance.endpoint,
    region: instance.region,
    forcePathStyle: true,
    credentials: { accessKeyId: instance.accessKeyId, secretAccessKey: instance.secretAccessKey },
  };
}
