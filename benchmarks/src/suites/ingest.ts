/**
 * The ingest suite: how fast strata takes in new bytes and how much it keeps
 * of them, next to casync, borg and restic on the same input, warm page
 * cache, same machine, and next to the single-core ceilings that bound any
 * chunk-hash-compress store (SHA-256, zstd level 3).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pMap from 'p-map';
import { openStore, writeBlob, type Engine } from '@strata/cas';
import { errorCode } from '@strata/errors';
import { Compressor } from 'zstd-napi';
import { collectInput, readPieces, sampleInput, stageInput, warmPageCache, type Input } from '../input.ts';
import { diskUsage, firstLine, MB, megabytesPerSecond, runCommand, timed } from '../measure.ts';
import { borg } from '../peers/borg.ts';
import { casync } from '../peers/casync.ts';
import type { Peer, StagedInput } from '../peers/peer.ts';
import { restic } from '../peers/restic.ts';
import type { Progress } from '../progress.ts';
import { compare, reportHead, markdownTable, REPO_ROOT, round, STRATA_CLI, strataVersion, type Cell, type Comparison, versionLines } from '../report.ts';
import type { Suite, SuiteContext, SuiteReport } from '../suite.ts';

const PEERS: readonly Peer[] = [casync, borg, restic];

const MiB = 1024 * 1024;
const DEFAULT_INPUT = { roots: ['/usr'], bytes: 512 * MiB };
const QUICK_INPUT = { roots: ['/usr/lib', '/usr/share'], bytes: 64 * MiB };

/** The piece size of the zstd ceiling: strata's average chunk. */
const ZSTD_PIECE_BYTES = 64 * 1024;
const ZSTD_LEVEL = 3;
/** How much of a file the ceilings hold in memory at once (a multiple of the zstd piece). */
const CEILING_WINDOW_BYTES = 16 * MiB;
/** Read size of strata's ingest streams. */
const STREAM_PIECE_BYTES = 1 * MiB;


type FigureKind = 'strata' | 'peer' | 'ceiling';

/** One row of the results: a tool doing one thing over the whole input. */
export interface Figure {
  tool: string;
  scenario: string;
  kind: FigureKind;
  available: boolean;
  /** Why the figure could not be measured. */
  reason?: string;
  seconds?: number;
  /** Input bytes (10^6) per wall-clock second. */
  megabytesPerSecond?: number;
  storedBytes?: number;
  /** storedBytes / input bytes. */
  storedRatio?: number;
  /** strata only: its MB/s divided by the fastest peer's (above 1 is faster). */
  vsFastestPeer?: { peer: string; ratio: number };
  /** strata only: its stored bytes divided by the smallest peer store's (below 1 is smaller). */
  vsSmallestPeer?: { peer: string; ratio: number };
  settings?: string;
  details?: Record<string, unknown>;
}

export const ingestSuite: Suite = {
  name: 'ingest',
  description: 'ingest throughput and stored size: strata against casync, borg and restic on the same files',

  define(command) {
    command
      .argument('[paths...]', 'files, or directories whose regular files are the input (default: ~512 MiB sampled from /usr)')
      .option('--quick', 'without PATH, a ~64 MiB sample of /usr/lib and /usr/share (a smoke test)');
  },

  async run(paths, options, context) {
    const { progress, scratch, signal } = context;
    const startedAt = new Date();
    progress.begin(10);

    progress.step('selecting input');
    const selected = await selectInput(paths, options.quick === true, signal);

    progress.step('staging the input tree');
    const stageDir = join(await scratch.dir('input'), 'input');
    const input = await stageInput(selected, stageDir, signal);
    const staged: StagedInput = { dir: stageDir, files: input.files.length, totalBytes: input.totalBytes };

    progress.step('warming the page cache');
    await warmPageCache(input, signal);

    const figures: Figure[] = [];
    progress.step('ceilings: sha256, zstd -3');
    figures.push(...(await measureCeilings(input, signal)));

    progress.step('strata (engine API)');
    figures.push(...(await measureEngine(input, await scratch.dir('strata'), progress, signal)));

    progress.step('strata (CLI)');
    figures.push(await measureCli(input, await scratch.dir('strata-cli'), context));

    for (const peer of PEERS) {
      progress.step(peer.name);
      figures.push(await measurePeer(peer, staged, await scratch.dir(peer.name), context));
    }
    progress.end();

    compareWithPeers(figures);
    const versions = await toolVersions();
    const report = buildReport({ startedAt, finishedAt: new Date(), input, figures, versions });
    const comparisons = comparisonsOf(figures);
    report.json.comparisons = comparisons;
    return { ...report, comparisons };
  },
};

/** strata's figures next to the fastest peer's speed and the smallest peer's store, in the shape every suite shares. */
function comparisonsOf(figures: readonly Figure[]): Comparison[] {
  const comparisons: (Comparison | undefined)[] = [];
  const peer = (tool: string | undefined): Figure | undefined => figures.find((figure) => figure.kind === 'peer' && figure.tool === tool);
  for (const figure of figures) {
    if (figure.kind !== 'strata' || !figure.available) continue;
    const fields = { suite: 'ingest', measurement: '', scenario: figure.scenario };
    const fastest = peer(figure.vsFastestPeer?.peer);
    const smallest = peer(figure.vsSmallestPeer?.peer);
    if (fastest) comparisons.push(compare({ ...fields, measurement: 'ingest speed', unit: 'MB/s', better: 'higher', peer: fastest.tool }, figure.megabytesPerSecond, fastest.megabytesPerSecond));
    if (smallest) comparisons.push(compare({ ...fields, measurement: 'stored bytes', unit: 'bytes', better: 'lower', peer: smallest.tool }, figure.storedBytes, smallest.storedBytes));
  }
  return comparisons.filter((comparison): comparison is Comparison => comparison !== undefined);
}

async function selectInput(paths: string[], quick: boolean, signal: AbortSignal): Promise<Input> {
  if (paths.length > 0) return collectInput(paths);
  const sample = quick ? QUICK_INPUT : DEFAULT_INPUT;
  return sampleInput(sample.roots, sample.bytes, signal);
}

/**
 * Single-core SHA-256 (one digest per file) and zstd level 3 (each 64 KiB
 * piece compressed on its own, as strata compresses chunks) over the input
 * held in memory: reading is outside the timed part.
 */
async function measureCeilings(input: Input, signal: AbortSignal): Promise<Figure[]> {
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: ZSTD_LEVEL, checksumFlag: false });
  let shaNanos = 0n;
  let zstdNanos = 0n;
  let compressedBytes = 0;
  let hash = createHash('sha256');
  for await (const { piece, last } of readPieces(input, CEILING_WINDOW_BYTES, signal)) {
    let start = process.hrtime.bigint();
    hash.update(piece);
    if (last) {
      hash.digest();
      hash = createHash('sha256');
    }
    shaNanos += process.hrtime.bigint() - start;

    start = process.hrtime.bigint();
    for (let at = 0; at < piece.byteLength; at += ZSTD_PIECE_BYTES) {
      compressedBytes += compressor.compress(piece.subarray(at, at + ZSTD_PIECE_BYTES)).byteLength;
    }
    zstdNanos += process.hrtime.bigint() - start;
  }
  const sha = Number(shaNanos) / 1e9;
  const zstd = Number(zstdNanos) / 1e9;
  return [
    {
      tool: 'sha256 (node:crypto)',
      scenario: 'ceiling, 1 core',
      kind: 'ceiling',
      available: true,
      seconds: sha,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, sha),
      settings: 'one digest per file, in memory',
    },
    {
      tool: `zstd -${ZSTD_LEVEL} (zstd-napi)`,
      scenario: 'ceiling, 1 core',
      kind: 'ceiling',
      available: true,
      seconds: zstd,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, zstd),
      storedBytes: compressedBytes,
      storedRatio: compressedBytes / input.totalBytes,
      settings: `each ${ZSTD_PIECE_BYTES / 1024} KiB piece compressed on its own, in memory, no dedup`,
    },
  ];
}

/**
 * strata in-process: every file as one blob, one at a time, into a fresh
 * store; then the same files again into the same store.
 */
async function measureEngine(input: Input, dir: string, progress: Progress, signal: AbortSignal): Promise<Figure[]> {
  const engine = await openStore(join(dir, 'store'));
  try {
    const first = await timed(() => ingestFiles(engine, input, progress, signal));
    const afterFirst = await engine.stats();
    progress.step('strata (engine API, same data again)');
    const again = await timed(() => ingestFiles(engine, input, progress, signal));
    const afterAgain = await engine.stats();
    const { chunker, zstdLevel } = engine.settings;
    const settings = `FastCDC ${chunker.minSize / 1024}/${chunker.avgSize / 1024}/${chunker.maxSize / 1024} KiB, zstd -${zstdLevel}, 1 blob per file, files one at a time`;
    const figure = (scenario: string, seconds: number, stats: typeof afterFirst): Figure => ({
      tool: 'strata',
      scenario,
      kind: 'strata',
      available: true,
      seconds,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, seconds),
      storedBytes: stats.storedBytes,
      storedRatio: stats.storedBytes / input.totalBytes,
      settings,
      details: {
        chunks: stats.chunks,
        blobs: stats.blobs,
        packs: stats.packs,
        logicalBytes: stats.logicalBytes,
        uniqueBytes: stats.uniqueBytes,
        dedupRatio: stats.dedupRatio,
      },
    });
    return [figure('new data', first.seconds, afterFirst), figure('same data again', again.seconds, afterAgain)];
  } finally {
    await engine.close();
  }
}

// Files in flight at once, as a client with many files would send them: the
// engine shares fsyncs and index transactions between concurrent commits.
const INGEST_CONCURRENCY = 32;

async function ingestFiles(engine: Engine, input: Input, progress: Progress, signal: AbortSignal): Promise<void> {
  let shownAt = 0;
  let done = 0;
  await pMap(
    input.files,
    async (file) => {
      // Small files get small read buffers: a 1 MiB buffer per tiny file is mostly garbage to collect.
      const highWaterMark = Math.min(STREAM_PIECE_BYTES, Math.max(64 * 1024, file.size));
      const stream = createReadStream(file.path, { highWaterMark, signal });
      try {
        await writeBlob(engine, stream, { size: file.size }, { signal });
      } finally {
        stream.destroy();
      }
      done++;
      if (Date.now() - shownAt > 200) {
        progress.detail(`${done}/${input.files.length} files`);
        shownAt = Date.now();
      }
    },
    { concurrency: INGEST_CONCURRENCY, signal },
  );
}

/**
 * strata through its command line, in a fresh data directory. The CLI is a
 * separate package: when it is missing or fails, the figure is reported as
 * unavailable instead of failing the run.
 */
async function measureCli(input: Input, dir: string, context: SuiteContext): Promise<Figure> {
  const base = { tool: 'strata', scenario: 'new data, CLI', kind: 'strata' as const, settings: 'strata ingest --data DIR FILE...' };
  const missing = await access(STRATA_CLI).then(
    () => undefined,
    () => 'packages/cli/bin/strata.js does not exist',
  );
  if (missing) return { ...base, available: false, reason: missing };
  const data = join(dir, 'data');
  try {
    const args = [STRATA_CLI, 'ingest', '--data', data, ...input.files.map((file) => file.path)];
    const { seconds } = await timed(() => runCommand(process.execPath, args, { signal: context.signal }));
    const usage = await diskUsage([data]);
    return {
      ...base,
      available: true,
      seconds,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, seconds),
      storedBytes: usage.storedBytes,
      storedRatio: usage.storedBytes / input.totalBytes,
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = `strata CLI failed: ${(error as Error).message}`;
    context.warn(reason);
    return { ...base, available: false, reason };
  }
}

async function measurePeer(peer: Peer, input: StagedInput, workdir: string, context: SuiteContext): Promise<Figure> {
  const base = { tool: peer.name, scenario: 'new data', kind: 'peer' as const, settings: peer.settings };
  try {
    const run = await peer.run(input, workdir, context.signal);
    return {
      ...base,
      available: true,
      seconds: run.seconds,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, run.seconds),
      storedBytes: run.storedBytes,
      storedRatio: run.storedBytes / input.totalBytes,
      details: { stored: run.storedWhat },
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = `${peer.name} failed (${errorCode(error)}): ${(error as Error).message}`;
    context.warn(reason);
    return { ...base, available: false, reason };
  }
}

/** Adds to each strata figure its ratios to the fastest peer and to the smallest peer store. */
function compareWithPeers(figures: Figure[]): void {
  const peers = figures.filter((figure) => figure.kind === 'peer' && figure.available);
  const fastest = maxBy(peers, (figure) => figure.megabytesPerSecond ?? 0);
  const smallest = maxBy(peers, (figure) => -(figure.storedBytes ?? Infinity));
  for (const figure of figures) {
    if (figure.kind !== 'strata' || !figure.available) continue;
    if (fastest?.megabytesPerSecond && figure.megabytesPerSecond !== undefined) {
      figure.vsFastestPeer = { peer: fastest.tool, ratio: figure.megabytesPerSecond / fastest.megabytesPerSecond };
    }
    if (smallest?.storedBytes && figure.storedBytes !== undefined) {
      figure.vsSmallestPeer = { peer: smallest.tool, ratio: figure.storedBytes / smallest.storedBytes };
    }
  }
}

function maxBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

async function toolVersions(): Promise<Record<string, string>> {
  const require = createRequire(import.meta.url);
  const zstdNapi = require('zstd-napi/package.json') as { version: string };
  const binding = require('zstd-napi/binding') as { versionString(): string };
  const versions: Record<string, string> = {
    strata: await strataVersion(),
    node: process.version,
    'zstd-napi': `${zstdNapi.version} (libzstd ${binding.versionString()})`,
  };
  for (const peer of PEERS) {
    versions[peer.name] = await peer.version().catch((error: Error) => `unavailable: ${error.message}`);
  }
  versions.openssl = `${process.versions.openssl} (node:crypto)`;
  return versions;
}

interface RunFacts {
  startedAt: Date;
  finishedAt: Date;
  input: Input;
  figures: Figure[];
  versions: Record<string, string>;
}

const CACHE_NOTE = 'Page cache warm for every tool: each input file was read once before any measurement.';

function buildReport(facts: RunFacts): SuiteReport {
  const { input, figures, versions } = facts;
  const head = reportHead('ingest', facts);
  const { machine } = head;
  const table = resultsTable(figures);
  const json = {
    ...head,
    input: {
      description: input.description,
      files: input.files.length,
      totalBytes: input.totalBytes,
      pageCache: CACHE_NOTE,
    },
    units: { megabyte: MB, megabytesPerSecond: 'input bytes / 10^6 / wall-clock seconds' },
    figures,
  };
  const unavailable = figures.filter((figure) => !figure.available);
  const markdown = [
    `# ingest, ${facts.startedAt.toISOString()}`,
    '',
    `Machine: ${machine.cpuModel}, ${machine.cpus} cores, ${(machine.totalMemoryBytes / 1024 ** 3).toFixed(0)} GiB, ${machine.os}, node ${machine.node}.`,
    `Input: ${input.files.length} files, ${(input.totalBytes / MB).toFixed(1)} MB (${input.description}).`,
    CACHE_NOTE,
    '',
    table,
    '',
    ...unavailable.map((figure) => `- ${figure.tool} (${figure.scenario}) unavailable: ${figure.reason}`),
    ...(unavailable.length > 0 ? [''] : []),
    ...versionLines(versions),
    'Settings:',
    '',
    ...figures.filter((figure) => figure.settings).map((figure) => `- ${figure.tool} (${figure.scenario}): ${figure.settings}`),
    '',
  ].join('\n');
  const summary = [`Input: ${input.files.length} files, ${(input.totalBytes / MB).toFixed(1)} MB. ${CACHE_NOTE}`, '', table].join('\n');
  return { json, markdown, summary };
}

function resultsTable(figures: readonly Figure[]): string {
  const headers = ['tool', 'what', 'wall s', 'MB/s', 'stored MB', 'stored/input', 'speed vs fastest peer', 'store vs smallest peer'];
  const rows = figures.map((figure): Cell[] => {
    if (!figure.available) return [figure.tool, figure.scenario, 'unavailable'];
    return [
      figure.tool,
      figure.scenario,
      round(figure.seconds),
      round(figure.megabytesPerSecond),
      figure.storedBytes === undefined ? undefined : round(figure.storedBytes / MB),
      figure.storedRatio === undefined ? undefined : Number(figure.storedRatio.toFixed(3)),
      figure.vsFastestPeer ? `${figure.vsFastestPeer.ratio.toFixed(2)}× ${figure.vsFastestPeer.peer}` : undefined,
      figure.vsSmallestPeer ? `${figure.vsSmallestPeer.ratio.toFixed(2)}× ${figure.vsSmallestPeer.peer}` : undefined,
    ];
  });
  return markdownTable(headers, rows);
}
