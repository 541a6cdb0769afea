import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { run, startDaemon, waitFor, type Daemon } from './processes.ts';
import { backingServices, startScaleOut } from './scale-out.ts';
import type { Workspace } from './workspace.ts';

/** The `strata` command of this checkout, run by the Node that runs the tests. */
const STRATA_BIN = join(import.meta.dirname, '..', '..', '..', '..', 'cli', 'bin', 'strata.js');

/** What `strata stats --json` prints. */
export interface StoreFigures {
  blobs: number;
  logicalBytes: number;
  uniqueBytes: number;
  storedBytes: number;
  dedupRatio: number;
  expandedBlobs?: number;
}

/** A strata registry running as its own process, as users run it. */
export interface StrataServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, the registry part of image references */
  host: string;
  /** The registry's JSON log lines so far. */
  log(): Promise<string>;
  /** The /metrics page, parsed. */
  metrics(): Promise<Metrics>;
  /** `strata stats --json` of the store behind the registry (stops the registry first when the store is embedded). */
  stats(): Promise<StoreFigures>;
  /** Graceful shutdown by PID (SIGTERM). */
  stop(): Promise<void>;
}

/**
 * One way of running the registry. The client suite runs every case against
 * each setup in `SERVER_SETUPS`.
 */
export interface ServerSetup {
  name: string;
  start(t: ExecutionContext, workspace: Workspace, options?: ServeOptions): Promise<StrataServer>;
}

export interface ServeOptions {
  /** `strata serve --auth FILE`: users and access rules. */
  auth?: string;
  /** `strata serve --expand-layers` (the embedded engine only). */
  expandLayers?: boolean;
}

function serveArgs(options: ServeOptions = {}): string[] {
  return [...(options.auth === undefined ? [] : ['--auth', options.auth]), ...(options.expandLayers ? ['--expand-layers'] : [])];
}

export function strata(args: string[]): Promise<{ stdout: string }> {
  return run(process.execPath, [STRATA_BIN, ...args], { timeoutMs: 60_000 });
}

/** Starts `strata serve ARGS --listen 127.0.0.1:0` and learns its port from the line it prints. */
async function serve(t: ExecutionContext, workspace: Workspace, args: string[]): Promise<{ daemon: Daemon; url: string }> {
  const daemon = await startDaemon(t, process.execPath, [STRATA_BIN, 'serve', ...args, '--listen', '127.0.0.1:0'], {
    logFile: workspace.path('strata-serve.log'),
  });
  let url: string | undefined;
  await waitFor(
    async () => {
      url = /strata: serving (http:\/\/\S+)/.exec(await daemon.log())?.[1];
      return url !== undefined;
    },
    30_000,
    daemon.log,
  );
  return { daemon, url: url as string };
}

/** `strata serve --data DIR`: gateway and engine in one process. */
export const embeddedServer: ServerSetup = {
  name: 'embedded',
  async start(t, workspace, options) {
    const dataDir = await workspace.dir('strata-data');
    const { daemon, url } = await serve(t, workspace, ['--data', dataDir, ...serveArgs(options)]);
    return {
      url,
      host: new URL(url).host,
      log: daemon.log,
      metrics: () => scrapeMetrics(url),
      async stats() {
        await daemon.stop();
        const { stdout } = await strata(['stats', '--data', dataDir, '--json']);
        return JSON.parse(stdout) as StoreFigures;
      },
      stop: () => daemon.stop(),
    };
  },
};

/**
 * The scale-out deployment: two stateless `strata serve` gateways sharing
 * their metadata in PostgreSQL and one `strata cas` whose packs are in S3
 * (Ceph radosgw), behind a round-robin balancer: a client's connections
 * alternate between the gateways, so what one gateway starts (an image
 * push, an upload session) the other continues or serves.
 */
export const scaleOutServer: ServerSetup = {
  name: 'two gateways over PostgreSQL and S3',
  async start(t, workspace, options) {
    const cluster = await startScaleOut(t, workspace, STRATA_BIN, await backingServices(), serveArgs(options));
    const url = `http://${cluster.balancer.host}`;
    const stop = async () => {
      await cluster.balancer.stop();
      await Promise.all(cluster.gateways.map((gateway) => gateway.daemon.stop()));
      await cluster.cas.stop();
    };
    return {
      url,
      host: cluster.balancer.host,
      async log() {
        const logs = await Promise.all([...cluster.gateways.map((gateway) => gateway.daemon.log()), cluster.cas.log()]);
        return logs.join('\n');
      },
      // Each gateway counts what it served: the registry's figures are their sums.
      async metrics() {
        const pages = await Promise.all(cluster.gateways.map((gateway) => scrapeMetrics(gateway.url)));
        return new Metrics(pages.map((page) => page.text).join('\n'));
      },
      async stats() {
        const { stdout } = await strata(['stats', '--cas', cluster.casAddress, '--json']);
        await stop();
        return JSON.parse(stdout) as StoreFigures;
      },
      stop,
    };
  },
};

/**
 * The embedded default, and the scale-out deployment, which is also how
 * `strata serve --cas` in front of a `strata cas` server is exercised.
 */
export const SERVER_SETUPS: ServerSetup[] = [embeddedServer, scaleOutServer];

/** Prometheus text exposition, enough of it to sum a counter over labels. */
export class Metrics {
  readonly samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) continue;
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] as string] = pair[2] as string;
      this.samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
    }
  }

  /** The sum of `name` over the samples whose labels include `where`. */
  sum(name: string, where: Record<string, string> = {}): number {
    return this.samples
      .filter((sample) => sample.name === name && Object.entries(where).every(([key, value]) => sample.labels[key] === value))
      .reduce((total, sample) => total + sample.value, 0);
  }

  /** Bytes the registry received in blob uploads (sessions, chunks and monolithic pushes). */
  uploadedBytes(): number {
    return this.sum('strata_http_received_bytes_total', { route: 'upload.start' }) + this.sum('strata_http_received_bytes_total', { route: 'upload' });
  }
}

export async function scrapeMetrics(url: string): Promise<Metrics> {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return new Metrics(await response.text());
}
