/**
 * The pull suite: strata as a registry next to the CNCF distribution
 * registry (Debian's `docker-registry`) on the same machine in the same run.
 * skopeo pulls of a multi-layer image built from real files, cold (the first
 * pull after the registry process restarted) and hot; curl GETs of one large
 * blob; many GETs of one blob in flight at once. A third run pulls the image
 * from strata with every layer expanded, against strata's own plain run.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, StrataError } from '@strata/errors';
import { concurrentGets, curlBlob, pushBlob, quantile, writeIncompressibleFile, type CurlTransfer } from '../blob-transfer.ts';
import { firstLine, MB, megabytesPerSecond, runCommand, timed } from '../measure.ts';
import { cachedImage, type ImageRecipe, type OciImage } from '../oci-image.ts';
import { distributionRegistry, strataRegistry, type RegistryKind, type RunningRegistry } from '../registries.ts';
import { lineChart } from '../charts.ts';
import { compare, reportHead, markdownTable, round, STRATA_CLI, strataVersion, type Cell, type Comparison, versionLines } from '../report.ts';
import { Skopeo, skopeoVersion } from '../skopeo.ts';
import type { Suite, SuiteContext, SuiteReport } from '../suite.ts';

const MiB = 1024 * 1024;

interface Plan {
  image: ImageRecipe;
  /** The blob curl downloads. */
  blobBytes: number;
  /** The blob fetched with many requests in flight (the same blob when the sizes match). */
  concurrentBlobBytes: number;
  /** Hot runs after each cold one. */
  hotRuns: number;
  concurrency: readonly number[];
  /** Requests per concurrency level, at least the level itself. */
  minRequests: number;
}

const FULL: Plan = {
  image: { name: 'pull-usr-900m-5', roots: ['/usr'], sampleBytes: 900 * MiB, layers: 5 },
  blobBytes: 1024 * MiB,
  concurrentBlobBytes: 64 * MiB,
  hotRuns: 3,
  concurrency: [1, 4, 16],
  minRequests: 16,
};

const QUICK: Plan = {
  image: { name: 'pull-usr-100m-4', roots: ['/usr/lib', '/usr/share'], sampleBytes: 100 * MiB, layers: 4 },
  blobBytes: 64 * MiB,
  concurrentBlobBytes: 64 * MiB,
  hotRuns: 3,
  concurrency: [1, 4, 16],
  minRequests: 2,
};

/**
 * strata serve with layer expansion. After the push the registry is stopped,
 * `strata expand` expands every layer the server had not reached, and the
 * hot cache (which holds every pushed blob) is emptied: the first pull then
 * rebuilds every layer from its chunks, and the hot pulls read what that
 * pull put back in the cache. Only the image is pulled (its blobs are not
 * layers), and the figures are set against strata's plain run.
 */
const strataExpanded: RegistryKind = {
  name: 'strata, layers expanded',
  settings:
    'strata serve --data DIR --expand-layers; after the push: stopped, `strata expand --data DIR/data` run to the end, the hot cache (DIR/data/cas/cache) emptied, started again; image pulls only',
  version: strataVersion,
  start: (dir, extraArgs = [], port) => strataRegistry.start(dir, ['--expand-layers', ...extraArgs], port),
};

const REGISTRIES: readonly RegistryKind[] = [strataRegistry, distributionRegistry, strataExpanded];
const PEER = distributionRegistry.name;

/** Each registry's figures are set against this one's in the same row. */
const COMPARED_WITH: Readonly<Record<string, string>> = {
  [strataRegistry.name]: PEER,
  [strataExpanded.name]: strataRegistry.name,
};
const IMAGE_REPOSITORY = 'bench/pull';
const BLOB_REPOSITORY = 'bench/blob';

/** The bounds on strata's pull time over distribution's that strata is built to meet. */
const COLD_PULL_GOAL = 1.0;
const HOT_PULL_GOAL = 0.8;
/** Hot pulls of expanded layers run at ≥ 0.9× the speed of plain ones: ≤ 1/0.9 of their time. */
const EXPANDED_HOT_PULL_GOAL = 1 / 0.9;

type Compared = 'wall time' | 'MB/s';

/** One row of the results: one registry, one measurement, one condition. */
export interface Figure {
  measurement: string;
  scenario: string;
  tool: string;
  kind: 'strata' | 'peer';
  available: boolean;
  reason?: string;
  /** Wall seconds; of the run reported when there were several. */
  seconds?: number;
  /** Bytes moved (10^6) per wall second. */
  megabytesPerSecond?: number;
  bytes?: number;
  /** Seconds of every run the figure summarises. */
  runs?: number[];
  latencyMs?: { p50: number; p99: number };
  /** strata only: its figure over the peer's in the same row (`compared`: below 1 is faster for wall time, above 1 for MB/s). */
  vsPeer?: { peer: string; compared: Compared; ratio: number };
  /** strata only, pulls: the bound on `vsPeer.ratio`. */
  goal?: { atMost: number; met: boolean };
  /** What the measured command reported (the expanded run's `strata expand`). */
  details?: ExpandReport;
}

interface Row {
  measurement: string;
  scenario: string;
  compared: Compared;
  goal?: number;
  /** The bound on the expanded run against strata's plain one. */
  expandedGoal?: number;
}

/**
 * The first run since the upload (the registry restarted in between), the
 * best and median of the hot runs after it, and one more run after another
 * restart: strata keeps what it served in an on-disk cache across restarts,
 * so its two cold runs differ.
 */
interface RepeatedRows {
  first: Row;
  best: Row;
  median: Row;
  cold: Row;
}

/** The rows of the results table, named by what fills them. */
interface Rows {
  push: Row;
  /** The expanded run only: `strata expand` over the pushed image. */
  expand: Row;
  pull: RepeatedRows;
  put: Row;
  get: RepeatedRows;
  concurrent: Row[];
}

function rowsOf(plan: Plan): Rows {
  const repeated = (measurement: string, compared: Compared, goals: { cold?: number; hot?: number; expandedHot?: number } = {}): RepeatedRows => ({
    first: { measurement, scenario: 'cold, first since the push', compared, goal: goals.cold },
    best: { measurement, scenario: `hot, best of ${plan.hotRuns}`, compared, goal: goals.hot, expandedGoal: goals.expandedHot },
    median: { measurement, scenario: `hot, median of ${plan.hotRuns}`, compared, goal: goals.hot, expandedGoal: goals.expandedHot },
    cold: { measurement, scenario: 'cold, restarted after the hot runs', compared, goal: goals.cold },
  });
  return {
    push: { measurement: 'image push (skopeo)', scenario: 'first push', compared: 'wall time' },
    expand: { measurement: 'layer expansion (strata expand)', scenario: 'every layer of the image, offline', compared: 'wall time' },
    pull: repeated('image pull (skopeo)', 'wall time', { cold: COLD_PULL_GOAL, hot: HOT_PULL_GOAL, expandedHot: EXPANDED_HOT_PULL_GOAL }),
    put: { measurement: `blob PUT ${sizeLabel(plan.blobBytes)} (curl)`, scenario: 'one request', compared: 'MB/s' },
    get: repeated(`blob GET ${sizeLabel(plan.blobBytes)} (curl)`, 'MB/s'),
    concurrent: plan.concurrency.map((level) => ({
      measurement: `blob GET ${sizeLabel(plan.concurrentBlobBytes)} (fetch)`,
      scenario: `${level} in flight`,
      compared: 'MB/s',
    })),
  };
}

/** The rows a registry fills, in table order. */
function rowsFor(kind: RegistryKind, rows: Rows): Row[] {
  const each = (repeated: RepeatedRows): Row[] => [repeated.first, repeated.best, repeated.median, repeated.cold];
  if (kind === strataExpanded) return [rows.push, rows.expand, ...each(rows.pull)];
  return [rows.push, ...each(rows.pull), rows.put, ...each(rows.get), ...rows.concurrent];
}

/** Every row once, in table order. */
function allRows(rows: Rows): Row[] {
  const seen = new Map<string, Row>();
  for (const kind of REGISTRIES) for (const row of rowsFor(kind, rows)) seen.set(key(row), seen.get(key(row)) ?? row);
  return [...seen.values()];
}

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`;
}

export const pullSuite: Suite = {
  name: 'pull',
  description: 'registry pulls: strata serve against the distribution registry (skopeo, curl, concurrent GETs)',

  define(command) {
    command.option('--quick', 'a ~40 MB image and a 64 MiB blob (a smoke test)');
  },

  async run(_paths, options, context) {
    const { progress, scratch, signal } = context;
    const plan = options.quick === true ? QUICK : FULL;
    const startedAt = new Date();
    progress.begin(2 + REGISTRIES.length);

    progress.step('building the image (cached in benchmarks/.cache)');
    const image = await cachedImage(plan.image, signal);

    progress.step('writing the blobs');
    const blobDir = await scratch.dir('blobs');
    const blob = { path: join(blobDir, 'blob'), bytes: plan.blobBytes, digest: '' };
    blob.digest = await writeIncompressibleFile(blob.path, blob.bytes, 'strata pull benchmark', signal);
    const concurrentBlob =
      plan.concurrentBlobBytes === plan.blobBytes
        ? blob
        : { path: join(blobDir, 'concurrent-blob'), bytes: plan.concurrentBlobBytes, digest: '' };
    if (concurrentBlob !== blob) {
      concurrentBlob.digest = await writeIncompressibleFile(concurrentBlob.path, concurrentBlob.bytes, 'strata pull benchmark, concurrent', signal);
    }

    const figures: Figure[] = [];
    for (const kind of REGISTRIES) {
      progress.step(kind.name);
      const measured = await measureRegistry(kind, plan, { image, blob, concurrentBlob }, context).catch((error: unknown) => {
        if (signal.aborted) throw error;
        const reason = `${kind.name} failed (${errorCode(error)}): ${(error as Error).message}`;
        context.warn(reason);
        return reason;
      });
      for (const row of rowsFor(kind, rowsOf(plan))) {
        const figure = typeof measured === 'string' ? undefined : measured.get(key(row));
        const base = { measurement: row.measurement, scenario: row.scenario, tool: kind.name, kind: kind === distributionRegistry ? ('peer' as const) : ('strata' as const) };
        figures.push(figure ? { ...base, ...figure, available: true } : { ...base, available: false, reason: typeof measured === 'string' ? measured : 'not measured' });
      }
    }
    progress.end();

    compareWithPeer(figures, allRows(rowsOf(plan)));
    const versions = await toolVersions();
    const report = buildReport({ startedAt, finishedAt: new Date(), plan, image, figures, versions });
    const comparisons = comparisonsOf(figures, rowsOf(plan));
    report.json.comparisons = comparisons;
    return { ...report, comparisons, charts: await concurrencyCharts(figures, plan) };
  },
};

interface Blob {
  path: string;
  bytes: number;
  digest: string;
}

interface Inputs {
  image: OciImage;
  blob: Blob;
  concurrentBlob: Blob;
}

type Measured = Map<string, Partial<Figure>>;

function key(row: { measurement: string; scenario: string }): string {
  return `${row.measurement}\n${row.scenario}`;
}

/**
 * Every measurement against one registry, alone on the machine: it is
 * started on a fresh data directory and stopped (by PID) before the next.
 */
async function measureRegistry(kind: RegistryKind, plan: Plan, inputs: Inputs, context: SuiteContext): Promise<Measured> {
  const { scratch, signal, progress } = context;
  const { image, blob, concurrentBlob } = inputs;
  const rows = rowsOf(plan);
  const results: Measured = new Map();
  const record = (row: Row, figure: Partial<Figure>): void => void results.set(key(row), figure);
  const dir = await scratch.dir(kind.name);
  const registry = await kind.start(dir);
  try {
    const skopeo = await Skopeo.create(join(dir, 'skopeo'), [registry.host]);
    const reference = `docker://${registry.host}/${IMAGE_REPOSITORY}:v1`;

    progress.detail('push');
    const push = await timed(() => skopeo.copy(`oci:${image.layout}:${image.tag}`, reference, signal));
    record(rows.push, { seconds: push.seconds, bytes: image.totalBytes, megabytesPerSecond: megabytesPerSecond(image.totalBytes, push.seconds) });
    if (kind === strataExpanded) {
      progress.detail('strata expand');
      const expansion = await expandOffline(registry, dir, signal);
      record(rows.expand, { seconds: expansion.seconds, bytes: image.totalBytes, megabytesPerSecond: megabytesPerSecond(image.totalBytes, expansion.seconds), details: expansion.report });
    }

    let pulls = 0;
    const pull = async (): Promise<{ seconds: number }> => {
      const destination = join(dir, `pull-${pulls++}`);
      try {
        return await timed(() => skopeo.copy(reference, `dir:${destination}`, signal));
      } finally {
        await rm(destination, { recursive: true, force: true });
      }
    };
    const pullRuns = await coldHotCold(registry, pull, plan.hotRuns, (step) => progress.detail(`pull, ${step}`));
    recordRepeated(rows.pull, pullRuns, ({ seconds }) => ({ seconds, bytes: image.totalBytes, megabytesPerSecond: megabytesPerSecond(image.totalBytes, seconds) }), record);
    if (kind === strataExpanded) return results;

    progress.detail('blob push');
    const put = await pushBlob(registry.url, BLOB_REPOSITORY, blob.path, blob.digest, signal);
    record(rows.put, { seconds: put.seconds, bytes: put.bytes, megabytesPerSecond: put.megabytesPerSecond });
    if (concurrentBlob !== blob) await pushBlob(registry.url, BLOB_REPOSITORY, concurrentBlob.path, concurrentBlob.digest, signal);

    const get = async (): Promise<CurlTransfer> => {
      const transfer = await curlBlob(registry.url, BLOB_REPOSITORY, blob.digest, signal);
      if (transfer.bytes !== blob.bytes) throw new StrataError('DataLoss', `GET of the blob returned ${transfer.bytes} bytes, expected ${blob.bytes}`);
      return transfer;
    };
    const getRuns = await coldHotCold(registry, get, plan.hotRuns, (step) => progress.detail(`blob GET, ${step}`));
    recordRepeated(rows.get, getRuns, ({ seconds, bytes, megabytesPerSecond }) => ({ seconds, bytes, megabytesPerSecond }), record);

    for (const [index, level] of plan.concurrency.entries()) {
      progress.detail(`${level} GETs in flight`);
      const requests = Math.max(level, plan.minRequests);
      const run = await concurrentGets(registry.url, BLOB_REPOSITORY, concurrentBlob.digest, concurrentBlob.bytes, level, requests, signal);
      record(rows.concurrent[index]!, {
        seconds: run.seconds,
        bytes: requests * concurrentBlob.bytes,
        megabytesPerSecond: run.megabytesPerSecond,
        latencyMs: { p50: quantile(run.latenciesMs, 0.5), p99: quantile(run.latenciesMs, 0.99) },
        runs: run.latenciesMs.map((ms) => ms / 1000),
      });
    }
  } finally {
    await registry.stop();
  }
  return results;
}

/** What `strata expand --json` reports (the fields this suite reads). */
interface ExpandReport {
  tried: number;
  expanded: number;
  plain: number;
  failed: number;
  expandedBytes: number;
  storedBytesBefore: number;
  storedBytesAfter: number;
}

/**
 * Stops the registry, expands every layer it had not reached with `strata
 * expand`, empties its hot cache and starts it again: the next pull rebuilds
 * every expanded layer from its chunks.
 */
async function expandOffline(registry: RunningRegistry, dir: string, signal: AbortSignal): Promise<{ seconds: number; report: ExpandReport }> {
  const data = join(dir, 'data');
  let expansion: { seconds: number; report: ExpandReport } | undefined;
  await registry.restart(async () => {
    const run = await timed(() => runCommand(process.execPath, [STRATA_CLI, 'expand', '--data', data, '--json'], { signal }));
    const { tried, expanded, plain, failed, expandedBytes, storedBytesBefore, storedBytesAfter } = JSON.parse(run.value.stdout) as ExpandReport;
    expansion = { seconds: run.seconds, report: { tried, expanded, plain, failed, expandedBytes, storedBytesBefore, storedBytesAfter } };
    await rm(join(data, 'cas', 'cache'), { recursive: true, force: true });
  });
  return expansion!;
}

interface Timed {
  seconds: number;
}

interface Runs<T> {
  first: T;
  hot: T[];
  cold: T;
}

/**
 * A restart and the first run since the upload, `hotRuns` more, then a
 * restart and one run more.
 */
async function coldHotCold<T extends Timed>(
  registry: RunningRegistry,
  once: () => Promise<T>,
  hotRuns: number,
  onStep: (step: string) => void,
): Promise<Runs<T>> {
  onStep('cold, first since the push');
  await registry.restart();
  const first = await once();
  const hot: T[] = [];
  for (let run = 0; run < hotRuns; run++) {
    onStep(`hot ${run + 1}/${hotRuns}`);
    hot.push(await once());
  }
  onStep('cold, after a restart');
  await registry.restart();
  return { first, hot, cold: await once() };
}

/** The cold runs, and the fastest and the median (nearest rank) of the hot runs. */
function recordRepeated<T extends Timed>(
  rows: RepeatedRows,
  runs: Runs<T>,
  figure: (run: T) => Partial<Figure>,
  record: (row: Row, figure: Partial<Figure>) => void,
): void {
  const hot = [...runs.hot].sort((a, b) => a.seconds - b.seconds);
  const hotSeconds = runs.hot.map((run) => run.seconds);
  record(rows.first, { ...figure(runs.first), runs: [runs.first.seconds] });
  record(rows.cold, { ...figure(runs.cold), runs: [runs.cold.seconds] });
  record(rows.best, { ...figure(hot[0]!), runs: hotSeconds });
  record(rows.median, { ...figure(hot[Math.ceil(hot.length / 2) - 1]!), runs: hotSeconds });
}

/**
 * Adds to each strata figure its ratio to the figure in the same row of the
 * registry it is compared with (COMPARED_WITH), and the goal where the issue
 * sets one.
 */
function compareWithPeer(figures: Figure[], rows: readonly Row[]): void {
  for (const row of rows) {
    const of = (tool: string): Figure | undefined =>
      figures.find((figure) => figure.tool === tool && figure.measurement === row.measurement && figure.scenario === row.scenario && figure.available);
    for (const [tool, peerName] of Object.entries(COMPARED_WITH)) {
      const strata = of(tool);
      const peer = of(peerName);
      if (!strata || !peer) continue;
      const ratio = row.compared === 'wall time' ? strata.seconds! / peer.seconds! : strata.megabytesPerSecond! / peer.megabytesPerSecond!;
      strata.vsPeer = { peer: peerName, compared: row.compared, ratio };
      const goal = tool === strataExpanded.name ? row.expandedGoal : row.goal;
      if (goal !== undefined) strata.goal = { atMost: goal, met: ratio <= goal };
    }
  }
}

/** The figures with a peer in the shape every suite shares; cold first pull and hot median pull are the headlines. */
function comparisonsOf(figures: readonly Figure[], rows: Rows): Comparison[] {
  // Against distribution the cold first and hot median pulls; expanded against plain, the hot median pull.
  const headline = (figure: Figure): boolean =>
    key(figure) === key(rows.pull.median) || (figure.tool === strataRegistry.name && key(figure) === key(rows.pull.first));
  const comparisons: (Comparison | undefined)[] = [];
  for (const strata of figures) {
    if (strata.kind !== 'strata' || !strata.vsPeer) continue;
    const peerName = strata.vsPeer.peer;
    const peer = figures.find((figure) => figure.tool === peerName && key(figure) === key(strata));
    const time = strata.vsPeer.compared === 'wall time';
    comparisons.push(
      compare(
        {
          suite: 'pull',
          measurement: strata.measurement,
          scenario: strata.scenario,
          unit: time ? 'seconds' : 'MB/s',
          better: time ? 'lower' : 'higher',
          peer: peerName,
          ...(headline(strata) ? { headline: true } : {}),
        },
        time ? strata.seconds : strata.megabytesPerSecond,
        time ? peer?.seconds : peer?.megabytesPerSecond,
      ),
    );
  }
  return comparisons.filter((comparison): comparison is Comparison => comparison !== undefined);
}

/** Throughput and p50/p99 latency against the number of GETs in flight, one line per registry. */
async function concurrencyCharts(figures: readonly Figure[], plan: Plan): Promise<Record<string, string>> {
  const rows = rowsOf(plan).concurrent;
  const measured = rows.flatMap((row, index) =>
    figures
      .filter((figure) => figure.available && key(figure) === key(row))
      .map((figure) => ({ figure, level: plan.concurrency[index]! })),
  );
  if (measured.length === 0) return {};
  const size = sizeLabel(plan.concurrentBlobBytes);
  return {
    throughput: await lineChart(`blob GET ${size}: throughput`, 'GETs in flight', 'MB/s', measured.map(({ figure, level }) => ({ tool: figure.tool, x: level, y: figure.megabytesPerSecond! }))),
    latency: await lineChart(
      `blob GET ${size}: latency per request`,
      'GETs in flight',
      'ms',
      measured.flatMap(({ figure, level }) => [
        { tool: figure.tool, x: level, y: figure.latencyMs!.p50, series: 'p50' },
        { tool: figure.tool, x: level, y: figure.latencyMs!.p99, series: 'p99' },
      ]),
    ),
  };
}

async function toolVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  const versions: Record<string, string> = {};
  for (const kind of REGISTRIES) versions[kind.name] = await kind.version().catch(unavailable);
  versions.skopeo = await skopeoVersion().catch(unavailable);
  versions.curl = await firstLine('curl', ['--version']).catch(unavailable);
  versions.tar = await firstLine('tar', ['--version']).catch(unavailable);
  versions.node = process.version;
  return versions;
}

interface RunFacts {
  startedAt: Date;
  finishedAt: Date;
  plan: Plan;
  image: OciImage;
  figures: Figure[];
  versions: Record<string, string>;
}

const CONDITIONS = [
  'Each registry runs alone on 127.0.0.1 with its data in a temp directory, stopped before the next one starts.',
  'Cold: the first request after the registry process was stopped and started again, either the first since the upload or after the hot runs (in-process caches are empty; the page cache is not dropped, so both registries read warm files).',
  'Hot: the runs right after the first cold one. Pulls go to a fresh `dir:` destination each time.',
].join(' ');

function buildReport(facts: RunFacts): SuiteReport {
  const { plan, image, figures, versions } = facts;
  const head = reportHead('pull', facts);
  const { machine } = head;
  const table = resultsTable(figures);
  const json = {
    ...head,
    input: {
      image: {
        description: image.description,
        files: image.files,
        layers: image.layers,
        totalBytes: image.totalBytes,
        uncompressedBytes: image.uncompressedBytes,
      },
      blob: { bytes: plan.blobBytes, content: 'incompressible (AES-256-CTR keystream)' },
      concurrentBlob: { bytes: plan.concurrentBlobBytes, minRequestsPerLevel: plan.minRequests },
      conditions: CONDITIONS,
    },
    units: { megabyte: MB, megabytesPerSecond: 'bytes moved / 10^6 / wall-clock seconds (curl rows: curl’s own figure)' },
    settings: Object.fromEntries(REGISTRIES.map((kind) => [kind.name, kind.settings])),
    figures,
  };
  const unavailable = figures.filter((figure) => !figure.available);
  const imageLine = `Image: ${image.layers.length} layers, ${(image.totalBytes / MB).toFixed(1)} MB compressed (${(image.uncompressedBytes / MB).toFixed(1)} MB of tar), ${image.description}.`;
  const markdown = [
    `# pull, ${facts.startedAt.toISOString()}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cpus} cores, ${(machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB, ${machine.os}, node ${machine.node}.`,
    imageLine,
    CONDITIONS,
    '',
    table,
    '',
    ...unavailable.map((figure) => `- ${figure.tool} (${figure.measurement}, ${figure.scenario}) unavailable: ${figure.reason}`),
    ...(unavailable.length > 0 ? [''] : []),
    ...versionLines(versions),
    'Settings:',
    '',
    ...REGISTRIES.map((kind) => `- ${kind.name}: ${kind.settings}`),
    '',
  ].join('\n');
  const summary = [imageLine, '', table].join('\n');
  return { json, markdown, summary };
}

function resultsTable(figures: readonly Figure[]): string {
  const headers = ['measurement', 'what', 'registry', 'wall s', 'MB/s', 'p50 ms', 'p99 ms', 'vs', 'goal'];
  const rows = figures.map((figure): Cell[] => {
    if (!figure.available) return [figure.measurement, figure.scenario, figure.tool, 'unavailable'];
    const versus = figure.vsPeer ? `${figure.vsPeer.ratio.toFixed(2)}× ${figure.vsPeer.compared === 'wall time' ? 'time' : 'speed'} of ${figure.vsPeer.peer}` : undefined;
    const goal = figure.goal ? `≤ ${figure.goal.atMost.toFixed(2)}× ${figure.goal.met ? 'met' : 'missed'}` : undefined;
    return [
      figure.measurement,
      figure.scenario,
      figure.tool,
      round(figure.seconds),
      round(figure.megabytesPerSecond),
      round(figure.latencyMs?.p50),
      round(figure.latencyMs?.p99),
      versus,
      goal,
    ];
  });
  return markdownTable(headers, rows);
}
