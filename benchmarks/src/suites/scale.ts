/**
 * The scale suite: push and pull throughput of the image corpus with
 * several clients at once, strata against the CNCF distribution registry
 * (Debian's `docker-registry`) on the same backing store in the same run:
 * local disk, then S3 (one Ceph radosgw on loopback) with 1 and with 2
 * gateways. strata's scale-out deployment is `strata cas` (packs in S3,
 * index in PostgreSQL) behind stateless `strata serve` gateways whose
 * registry metadata is in PostgreSQL; distribution's is its `s3` driver.
 * Every S3 request of either goes through one counting proxy: requests per
 * GB stored (during the push) and per GB served (during the pulls), and the
 * bytes in the bucket afterwards.
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { errorCode } from '@strata/errors';
import { backingVersions, startBackingServices, type BackingServices } from '../backing-services.ts';
import { lineChart } from '../charts.ts';
import { describeCorpus, imageBytes, loadCorpus, repositoryOf, type Corpus, type CorpusImage, type CorpusSize } from '../corpus.ts';
import type { HttpCounts } from '../http-counting-proxy.ts';
import { diskUsage, MB, megabytesPerSecond, runCommand, timed } from '../measure.ts';
import {
  distributionOnS3,
  distributionRegistry,
  startStrataCas,
  strataRegistry,
  type RunningCas,
  type RunningRegistry,
} from '../registries.ts';
import { compare, comparisonTable, markdownTable, reportHead, round, STRATA_CLI, strataVersion, versionLines, type Cell, type Comparison } from '../report.ts';
import { Skopeo, skopeoVersion } from '../skopeo.ts';
import type { Suite, SuiteContext } from '../suite.ts';

const GB = 1e9;

interface Plan {
  corpus: CorpusSize;
  /** The first this many images of the corpus; all when absent. */
  images?: number;
  /** skopeo processes pushing or pulling at once, each working through its share of the images. */
  clients: number;
}

const FULL: Plan = { corpus: 'full', clients: 4 };
const QUICK: Plan = { corpus: 'small', images: 3, clients: 2 };

type Storage = 'local' | 's3';

/** One deployment measured: a store, where it keeps its bytes, how many gateways (registry processes) serve it. */
interface Deployment {
  key: string;
  tool: 'strata' | 'distribution';
  /** The name comparisons give the peer. */
  label: string;
  storage: Storage;
  gateways: number;
  /** What the strata deployment is compared with: the distribution deployment on the same storage with as many processes. */
  peerKey?: string;
}

const DEPLOYMENTS: readonly Deployment[] = [
  { key: 'strata-local', tool: 'strata', label: 'strata, local disk', storage: 'local', gateways: 1, peerKey: 'distribution-local' },
  { key: 'distribution-local', tool: 'distribution', label: 'distribution (filesystem)', storage: 'local', gateways: 1 },
  { key: 'strata-s3-1', tool: 'strata', label: 'strata, S3 + PostgreSQL, 1 gateway', storage: 's3', gateways: 1, peerKey: 'distribution-s3-1' },
  { key: 'distribution-s3-1', tool: 'distribution', label: 'distribution (s3)', storage: 's3', gateways: 1 },
  { key: 'strata-s3-2', tool: 'strata', label: 'strata, S3 + PostgreSQL, 2 gateways', storage: 's3', gateways: 2, peerKey: 'distribution-s3-2' },
  { key: 'distribution-s3-2', tool: 'distribution', label: 'distribution (s3, 2 instances)', storage: 's3', gateways: 2 },
];

/** The scenario a pair of deployments shares (a gateway: a strata serve or a docker-registry process), as comparisons name it. */
function scenarioOf(deployment: Deployment): string {
  const where = deployment.storage === 'local' ? 'local disk' : 'S3 (radosgw)';
  return `${where}, ${deployment.gateways} ${deployment.gateways === 1 ? 'gateway' : 'gateways'}`;
}

/** What `strata cas` accepts of the scale-out options: the suite uses whichever are there. */
interface CasFeatures {
  /** `--packs s3://BUCKET/PREFIX --s3-endpoint URL` */
  packs: boolean;
  /** `--metadata postgresql://…` (the chunk index, recipes, refcounts in PostgreSQL) */
  metadata: boolean;
}

async function casFeatures(): Promise<CasFeatures> {
  const { stdout } = await runCommand(process.execPath, [STRATA_CLI, 'cas', '--help']);
  return { packs: /--packs\b/.test(stdout) && /--s3-endpoint\b/.test(stdout), metadata: /--metadata\b/.test(stdout) };
}

export interface PhaseFigure {
  seconds: number;
  /** Bytes of the images the clients pushed or pulled (every image's blobs, shared ones included). */
  bytes: number;
  megabytesPerSecond: number;
  /** Requests that reached S3 during the phase (through the counting proxy); S3 deployments only. */
  s3?: HttpCounts;
  /** `s3.requests` per GB (10^9 bytes) stored (push: the corpus's unique blob bytes) or served (pull: `bytes`). */
  s3RequestsPerGB?: number;
}

export interface ScaleFigure {
  deployment: string;
  tool: 'strata' | 'distribution';
  label: string;
  scenario: string;
  storage: Storage;
  gateways: number;
  available: boolean;
  reason?: string;
  settings?: string;
  push?: PhaseFigure;
  /** The first pull after every process of the deployment was restarted. */
  coldPull?: PhaseFigure;
  /** The pull right after it. */
  hotPull?: PhaseFigure;
  /** Bytes the store holds after the push: the bucket's objects (S3) or the data directories (local). */
  stored?: { bytes: number; objects?: number; where: string };
  /** PostgreSQL databases of the deployment and their sizes after the push. */
  metadataBytes?: Record<string, number>;
}

interface Workload {
  corpus: Corpus;
  images: CorpusImage[];
  /** The images each client handles, the same in every phase. */
  shares: CorpusImage[][];
  /** Every image's bytes: what the clients move per phase. */
  imageBytes: number;
  /** Distinct blobs among them: what a store is asked to keep. */
  uniqueBytes: number;
}

function workloadOf(corpus: Corpus, plan: Plan): Workload {
  const images = corpus.images.slice(0, plan.images ?? corpus.images.length);
  const shares = Array.from({ length: plan.clients }, (_, client) => images.filter((_, index) => index % plan.clients === client));
  const blobs = new Map<string, number>();
  for (const image of images) {
    for (const blob of [image.manifest, image.config, ...image.layers]) blobs.set(blob.digest, blob.size);
  }
  return {
    corpus,
    images,
    shares,
    imageBytes: images.reduce((total, image) => total + imageBytes(image), 0),
    uniqueBytes: [...blobs.values()].reduce((total, size) => total + size, 0),
  };
}

/** A deployment running: its gateways (one registry endpoint each), a cold restart of every process, its stored bytes. */
interface RunningDeployment {
  gateways: RunningRegistry[];
  settings: string;
  restart(): Promise<void>;
  stored(): Promise<NonNullable<ScaleFigure['stored']>>;
  metadataBytes?(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export const scaleSuite: Suite = {
  name: 'scale',
  description: 'push and pull throughput with 1 and 2 gateways over S3 + PostgreSQL and on local disk, against docker-registry; S3 requests per GB',

  define(command) {
    command.option('--quick', `${QUICK.images} images of the small corpus, ${QUICK.clients} clients (a smoke test)`);
    command.option('--clients <n>', `skopeo clients at once (default ${FULL.clients}; --quick ${QUICK.clients})`);
  },

  async run(_paths, options, context) {
    const { progress, signal } = context;
    const base = options.quick === true ? QUICK : FULL;
    const plan: Plan = { ...base, ...(options.clients === undefined ? {} : { clients: Math.max(1, Number(options.clients)) }) };
    const startedAt = new Date();
    const loadAtStart = loadavg();
    progress.begin(2 + DEPLOYMENTS.length);
    progress.step('corpus');
    const workload = workloadOf(await loadCorpus(plan.corpus, signal), plan);
    const features = await casFeatures();

    const figures: ScaleFigure[] = [];
    let services: BackingServices | undefined;
    let servicesFailure: string | undefined;
    try {
      for (const deployment of DEPLOYMENTS) {
        if (deployment.storage === 's3' && !services && !servicesFailure) {
          progress.step('Ceph radosgw and PostgreSQL');
          services = await startBackingServices().catch((error: unknown) => {
            if (signal.aborted) throw error;
            servicesFailure = `S3 and PostgreSQL unavailable (${errorCode(error)}): ${(error as Error).message}`;
            context.warn(servicesFailure);
            return undefined;
          });
        }
        progress.step(deployment.label);
        const base: ScaleFigure = {
          deployment: deployment.key,
          tool: deployment.tool,
          label: deployment.label,
          scenario: scenarioOf(deployment),
          storage: deployment.storage,
          gateways: deployment.gateways,
          available: false,
        };
        if (deployment.storage === 's3' && !services) {
          figures.push({ ...base, reason: servicesFailure });
          continue;
        }
        figures.push(
          await measureDeployment(deployment, workload, plan, { services, features }, context).then(
            (measured) => ({ ...base, ...measured, available: true }),
            (error: unknown) => {
              if (signal.aborted) throw error;
              const reason = `${deployment.label} failed (${errorCode(error)}): ${(error as Error).message}`;
              context.warn(reason);
              return { ...base, reason };
            },
          ),
        );
      }
    } finally {
      await services?.stop();
    }
    progress.end();

    const comparisons = comparisonsOf(figures, features);
    const versions = await toolVersions();
    const head = reportHead('scale', { startedAt, finishedAt: new Date(), versions });
    const json = {
      ...head,
      input: {
        corpus: describeCorpus(workload.corpus),
        images: workload.images.map((image) => image.name),
        imageBytes: workload.imageBytes,
        uniqueBytes: workload.uniqueBytes,
        clients: plan.clients,
        conditions: CONDITIONS,
      },
      strataCas: {
        packs: features.packs ? 'S3 (--packs, --s3-endpoint)' : 'local directory (this strata cas has no --packs)',
        index: features.metadata ? 'PostgreSQL (--metadata)' : 'LMDB in its data directory (this strata cas has no --metadata)',
      },
      ...(services ? { services: { startMs: services.startMs } } : {}),
      // Other work on the machine shows directly in wall times: the 1-minute load average, to read them by.
      loadAverage: { atStart: loadAtStart[0], atEnd: loadavg()[0] },
      units: { megabyte: MB, gigabyte: GB, megabytesPerSecond: 'image bytes moved / 10^6 / wall-clock seconds of the phase, all clients together' },
      figures,
      comparisons,
    };
    const table = figuresTable(figures);
    const s3Table = requestsTable(figures);
    const imagesLine = `Workload: ${workload.images.length} images of the ${describeCorpus(workload.corpus)}; ${(workload.imageBytes / MB).toFixed(1)} MB per push or pull of all of them (${(workload.uniqueBytes / MB).toFixed(1)} MB of distinct blobs), ${plan.clients} skopeo clients at once.`;
    const casLine = `strata cas: packs in ${json.strataCas.packs}, index in ${json.strataCas.index}.`;
    const unavailable = figures.filter((figure) => !figure.available);
    const markdown = [
      `# scale, ${startedAt.toISOString()}`,
      '',
      `Machine: ${head.machine.cpuModel}, ${head.machine.cpus} cores, ${(head.machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB, ${head.machine.os}, node ${head.machine.node}.`,
      imagesLine,
      casLine,
      `Load average (1 min) ${loadAtStart[0]!.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on ${head.machine.cpus} cores.`,
      CONDITIONS,
      '',
      table,
      '',
      s3Table,
      '',
      comparisonTable(comparisons),
      '',
      ...unavailable.map((figure) => `- ${figure.label} unavailable: ${figure.reason}`),
      ...(unavailable.length > 0 ? [''] : []),
      ...versionLines(versions),
      'Settings:',
      '',
      ...figures.filter((figure) => figure.settings).map((figure) => `- ${figure.label}: ${figure.settings}`),
      '',
    ].join('\n');
    return {
      json,
      markdown,
      summary: [imagesLine, casLine, '', table, '', s3Table, '', comparisonTable(comparisons)].join('\n'),
      comparisons,
      charts: await throughputChart(figures),
    };
  },
};

const CONDITIONS = [
  'Every process listens on 127.0.0.1; each deployment starts on empty storage (its own bucket and databases) and is stopped before the next one starts.',
  'Clients are skopeo processes, each with its own share of the images, all at once; with 2 gateways each client pushes through one gateway and pulls through the other, and the clients are spread over both.',
  'Cold pull: the first after every process of the deployment (gateways, strata cas) was stopped and started again, strata’s on-disk caches (whole blobs, pack ranges) dropped in between; hot pull: the one right after it. The page cache is not dropped for anyone.',
  'S3 requests are counted by an HTTP proxy in front of radosgw that every store is given as its endpoint.',
].join(' ');

interface MeasureServices {
  services?: BackingServices;
  features: CasFeatures;
}

/** Push, stored bytes, cold pull, hot pull of the workload against one deployment, on fresh storage. */
async function measureDeployment(
  deployment: Deployment,
  workload: Workload,
  plan: Plan,
  { services, features }: MeasureServices,
  context: SuiteContext,
): Promise<Partial<ScaleFigure>> {
  const { scratch, signal, progress } = context;
  const dir = await scratch.dir(`scale-${deployment.key}`);
  const running = await startDeployment(deployment, dir, services, features);
  const proxy = deployment.storage === 's3' ? services!.proxy : undefined;
  try {
    const hosts = running.gateways.map((gateway) => gateway.host);
    const clients = await Promise.all(workload.shares.map((_, client) => Skopeo.create(join(dir, `skopeo-${client}`), hosts)));
    const gatewayOf = (client: number, phase: 'push' | 'pull'): RunningRegistry =>
      running.gateways[(client + (phase === 'pull' ? 1 : 0)) % running.gateways.length]!;

    const phase = async (name: string, work: (client: number, image: CorpusImage) => Promise<unknown>, perGBOf: number): Promise<PhaseFigure> => {
      progress.detail(name);
      proxy?.reset();
      const { seconds } = await timed(() =>
        Promise.all(
          workload.shares.map(async (share, client) => {
            for (const image of share) {
              signal.throwIfAborted();
              await work(client, image);
            }
          }),
        ),
      );
      const s3 = proxy?.counts();
      return {
        seconds,
        bytes: workload.imageBytes,
        megabytesPerSecond: megabytesPerSecond(workload.imageBytes, seconds),
        ...(s3 ? { s3, s3RequestsPerGB: s3.requests / (perGBOf / GB) } : {}),
      };
    };

    const reference = (client: number, image: CorpusImage, phase: 'push' | 'pull'): string => {
      const { repository, tag } = repositoryOf(image);
      return `docker://${gatewayOf(client, phase).host}/${repository}:${tag}`;
    };
    let pulls = 0;
    const pull = async (client: number, image: CorpusImage): Promise<void> => {
      const destination = join(dir, `pull-${pulls++}`);
      try {
        await clients[client]!.copy(reference(client, image, 'pull'), `dir:${destination}`, signal);
      } finally {
        await rm(destination, { recursive: true, force: true });
      }
    };

    const push = await phase(
      'push',
      (client, image) => clients[client]!.copy(`oci:${workload.corpus.layout}:${image.name}`, reference(client, image, 'push'), signal),
      workload.uniqueBytes,
    );
    progress.detail('stored bytes');
    const stored = await running.stored();
    const metadataBytes = await running.metadataBytes?.();
    progress.detail('restart');
    await running.restart();
    const coldPull = await phase('cold pull', pull, workload.imageBytes);
    const hotPull = await phase('hot pull', pull, workload.imageBytes);
    return { settings: running.settings, push, coldPull, hotPull, stored, ...(metadataBytes ? { metadataBytes } : {}) };
  } finally {
    await running.stop();
  }
}

async function startDeployment(deployment: Deployment, dir: string, services: BackingServices | undefined, features: CasFeatures): Promise<RunningDeployment> {
  if (deployment.storage === 'local') return startLocal(deployment, dir);
  if (!services) throw new Error('S3 deployment without services');
  return deployment.tool === 'strata' ? startStrataScaleOut(deployment, dir, services, features) : startDistributionOnS3(deployment, dir, services);
}

/** Stops every gateway; a failure to stop one does not leave the others running. */
async function stopAll(gateways: readonly { stop(): Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled(gateways.map((gateway) => gateway.stop()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** `strata serve --data DIR` (gateway and engine in one process) or docker-registry's filesystem driver. */
async function startLocal(deployment: Deployment, dir: string): Promise<RunningDeployment> {
  const kind = deployment.tool === 'strata' ? strataRegistry : distributionRegistry;
  const registry = await kind.start(dir);
  return {
    gateways: [registry],
    settings: kind.settings,
    async restart() {
      await registry.stop();
      if (deployment.tool === 'strata') await dropCaches(join(dir, 'data', 'cas'));
      await registry.restart();
    },
    async stored() {
      const data = join(dir, 'data');
      const usage = await diskUsage([data]);
      // strata's hot cache holds copies of served blobs that it may drop at any time: not storage.
      const cache = deployment.tool === 'strata' ? await diskUsage([join(data, 'cas', 'cache')]).catch(() => undefined) : undefined;
      return { bytes: usage.storedBytes - (cache?.storedBytes ?? 0), where: cache ? 'data directory, hot cache left out' : 'data directory' };
    },
    stop: () => registry.stop(),
  };
}

/**
 * `strata cas` with its packs in the deployment's bucket and its index in a
 * database of its own (when this strata cas has those options; otherwise in
 * its data directory), and `strata serve --cas --metadata` gateways sharing
 * one metadata database.
 */
async function startStrataScaleOut(deployment: Deployment, dir: string, services: BackingServices, features: CasFeatures): Promise<RunningDeployment> {
  const name = deployment.key.replaceAll('-', '_');
  const bucket = await services.bucket(deployment.key);
  const prefix = 'packs';
  const casDatabase = features.metadata ? `${name}_cas` : undefined;
  const gatewayDatabase = `${name}_gateway`;
  const casArgs = [
    ...(features.packs ? ['--packs', `s3://${bucket.bucket}/${prefix}`, '--s3-endpoint', bucket.endpoint] : []),
    ...(casDatabase ? ['--metadata', await services.database(casDatabase)] : []),
  ];
  const gatewayUrl = await services.database(gatewayDatabase);
  const casDir = join(dir, 'cas');
  const casOptions = { args: casArgs, env: services.awsEnvironment() };
  await mkdirs(casDir, ...Array.from({ length: deployment.gateways }, (_, index) => join(dir, `gateway-${index}`)));
  let cas: RunningCas = await startStrataCas(casDir, casOptions);
  const gateways: RunningRegistry[] = [];
  try {
    for (let index = 0; index < deployment.gateways; index++) {
      gateways.push(await strataRegistry.start(join(dir, `gateway-${index}`), ['--cas', `${cas.host}:${cas.port}`, '--metadata', gatewayUrl]));
    }
  } catch (error) {
    await stopAll(gateways);
    await cas.stop();
    throw error;
  }
  const settings = [
    `strata cas ${features.packs ? '--packs s3://BUCKET/packs --s3-endpoint PROXY' : '--data DIR (packs in a local directory)'}${casDatabase ? ' --metadata postgresql://…' : ' (index: LMDB in DIR)'}`,
    `${deployment.gateways} × strata serve --cas HOST:PORT --metadata postgresql://… (one shared database)`,
  ].join('; ');
  return {
    gateways,
    settings,
    async restart() {
      await stopAll(gateways);
      await cas.stop();
      await dropCaches(join(casDir, 'data'));
      cas = await startStrataCas(casDir, { ...casOptions, port: cas.port });
      for (const gateway of gateways) await gateway.restart();
    },
    async stored() {
      if (features.packs) return { ...(await services.bucketUsage(bucket.bucket)), where: `bucket ${bucket.bucket}` };
      const data = join(casDir, 'data');
      const usage = await diskUsage([data]);
      const cache = await diskUsage([join(data, 'cache')]).catch(() => undefined);
      return { bytes: usage.storedBytes - (cache?.storedBytes ?? 0), where: 'strata cas data directory (no --packs in this strata cas)' };
    },
    metadataBytes: () => services.databaseBytes([...(casDatabase ? [casDatabase] : []), gatewayDatabase]),
    async stop() {
      try {
        await stopAll(gateways);
      } finally {
        await cas.stop();
      }
    },
  };
}

/** docker-registry's s3 driver on the deployment's bucket; with 2 instances, both on the same bucket. */
async function startDistributionOnS3(deployment: Deployment, dir: string, services: BackingServices): Promise<RunningDeployment> {
  const target = await services.bucket(deployment.key);
  const kind = distributionOnS3(target);
  const gateways: RunningRegistry[] = [];
  try {
    for (let index = 0; index < deployment.gateways; index++) {
      const instanceDir = join(dir, `registry-${index}`);
      await mkdirs(instanceDir);
      gateways.push(await kind.start(instanceDir));
    }
  } catch (error) {
    await stopAll(gateways);
    throw error;
  }
  return {
    gateways,
    settings: `${deployment.gateways} × ${kind.settings}`,
    async restart() {
      await stopAll(gateways);
      for (const gateway of gateways) await gateway.restart();
    },
    async stored() {
      return { ...(await services.bucketUsage(target.bucket)), where: `bucket ${target.bucket}` };
    },
    stop: () => stopAll(gateways),
  };
}

/**
 * Removes the on-disk caches of a stopped store's data directory (whole
 * blobs served before, hot ranges of packs in S3): both are disposable by
 * design, and a cold pull is one that finds neither.
 */
async function dropCaches(dataDir: string): Promise<void> {
  for (const cache of ['cache', 'pack-cache']) await rm(join(dataDir, cache), { recursive: true, force: true });
}

async function mkdirs(...dirs: string[]): Promise<void> {
  for (const dir of dirs) await mkdir(dir, { recursive: true });
}

/**
 * strata next to distribution on the same storage with as many processes:
 * throughput of each phase, stored bytes, and S3 requests per GB when
 * strata's packs are in S3. A phase in which strata asked S3 nothing has no
 * ratio (it is in the requests table).
 */
function comparisonsOf(figures: readonly ScaleFigure[], features: CasFeatures): Comparison[] {
  const comparisons: (Comparison | undefined)[] = [];
  for (const deployment of DEPLOYMENTS) {
    if (!deployment.peerKey) continue;
    const strata = figures.find((figure) => figure.deployment === deployment.key && figure.available);
    const peer = figures.find((figure) => figure.deployment === deployment.peerKey && figure.available);
    if (!strata || !peer) continue;
    const scenario = scenarioOf(deployment);
    const headline = deployment.storage === 's3' && deployment.gateways === 2;
    const fields = (measurement: string, unit: Comparison['unit'], better: Comparison['better'], isHeadline = false) => ({
      suite: 'scale',
      measurement,
      scenario,
      unit,
      better,
      peer: peer.label,
      ...(isHeadline ? { headline: true } : {}),
    });
    comparisons.push(
      compare(fields('push throughput', 'MB/s', 'higher', headline), strata.push?.megabytesPerSecond, peer.push?.megabytesPerSecond),
      compare(fields('pull throughput, cold', 'MB/s', 'higher', headline), strata.coldPull?.megabytesPerSecond, peer.coldPull?.megabytesPerSecond),
      compare(fields('pull throughput, hot', 'MB/s', 'higher'), strata.hotPull?.megabytesPerSecond, peer.hotPull?.megabytesPerSecond),
      compare(fields('stored bytes after the push', 'bytes', 'lower'), strata.stored?.bytes, peer.stored?.bytes),
    );
    if (deployment.storage === 's3' && features.packs) {
      const perGB = (phase: PhaseFigure | undefined): number | undefined => (phase?.s3RequestsPerGB === 0 ? undefined : phase?.s3RequestsPerGB);
      comparisons.push(
        compare(fields('S3 requests per GB stored (push)', 'requests/GB', 'lower', deployment.gateways === 1), perGB(strata.push), peer.push?.s3RequestsPerGB),
        compare(fields('S3 requests per GB served (cold pull)', 'requests/GB', 'lower'), perGB(strata.coldPull), peer.coldPull?.s3RequestsPerGB),
        compare(fields('S3 requests per GB served (hot pull)', 'requests/GB', 'lower'), perGB(strata.hotPull), peer.hotPull?.s3RequestsPerGB),
      );
    }
  }
  return comparisons.filter((comparison): comparison is Comparison => comparison !== undefined);
}

function figuresTable(figures: readonly ScaleFigure[]): string {
  const headers = ['deployment', 'push MB/s', 'cold pull MB/s', 'hot pull MB/s', 'push s', 'cold pull s', 'hot pull s', 'stored MB', 'stored in'];
  const rows = figures.map((figure): Cell[] =>
    figure.available
      ? [
          figure.label,
          round(figure.push?.megabytesPerSecond),
          round(figure.coldPull?.megabytesPerSecond),
          round(figure.hotPull?.megabytesPerSecond),
          round(figure.push?.seconds),
          round(figure.coldPull?.seconds),
          round(figure.hotPull?.seconds),
          round((figure.stored?.bytes ?? NaN) / MB),
          figure.stored?.objects === undefined ? figure.stored?.where : `${figure.stored.objects} objects`,
        ]
      : [figure.label, 'unavailable'],
  );
  return markdownTable(headers, rows);
}

/** S3 requests of each phase: how many, per GB, by operation, and the bytes through the proxy. */
function requestsTable(figures: readonly ScaleFigure[]): string {
  const headers = ['deployment', 'phase', 'S3 requests', 'per GB', 'MB up', 'MB down', 'errors', 'by operation'];
  const rows: Cell[][] = [];
  for (const figure of figures) {
    if (!figure.available || figure.storage !== 's3') continue;
    for (const [name, phase] of [
      ['push (per GB stored)', figure.push],
      ['cold pull (per GB served)', figure.coldPull],
      ['hot pull (per GB served)', figure.hotPull],
    ] as const) {
      if (!phase?.s3) continue;
      const operations = Object.entries(phase.s3.byOperation)
        .sort(([, a], [, b]) => b - a)
        .map(([operation, count]) => `${operation} ${count}`)
        .join(', ');
      rows.push([figure.label, name, phase.s3.requests, round(phase.s3RequestsPerGB), round(phase.s3.bytesUp / MB), round(phase.s3.bytesDown / MB), phase.s3.errors, operations || undefined]);
    }
  }
  return markdownTable(headers, rows);
}

/** MB/s of each phase against the number of gateways (S3 deployments), one line per store and phase. */
async function throughputChart(figures: readonly ScaleFigure[]): Promise<Record<string, string>> {
  const points = figures
    .filter((figure) => figure.available && figure.storage === 's3')
    .flatMap((figure) =>
      (
        [
          ['push', figure.push],
          ['cold pull', figure.coldPull],
          ['hot pull', figure.hotPull],
        ] as const
      ).flatMap(([series, phase]) => (phase ? [{ tool: figure.tool, series, x: figure.gateways, y: Number(phase.megabytesPerSecond.toFixed(2)) }] : [])),
    );
  if (points.length === 0) return {};
  return { throughput: await lineChart('S3 (radosgw): throughput by processes serving', 'gateways / registry instances', 'MB/s', points) };
}

async function toolVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  return {
    strata: await strataVersion(),
    distribution: await distributionRegistry.version().catch(unavailable),
    skopeo: await skopeoVersion().catch(unavailable),
    ...(await backingVersions()),
    node: process.version,
  };
}
