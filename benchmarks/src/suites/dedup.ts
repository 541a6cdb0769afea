/**
 * The dedup suite: what each store keeps of the corpus. strata and the
 * distribution registry are given the images as a registry receives them
 * (compressed layers, pushed with skopeo); casync, restic and borg, which
 * store files, are given every image's layers as uncompressed tars (their
 * best case: tars dedup far better than gzip streams). strata's engine is
 * also given the tars, which is what layer expansion will give it on
 * compressed layers.
 */
import { createReadStream } from 'node:fs';
import { link, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import { openStore, writeBlob } from '@strata/cas';
import { errorCode } from '@strata/errors';
import { describeCorpus, imageBytes, loadCorpus, repositoryOf, type Corpus } from '../corpus.ts';
import { diskUsage, firstLine, megabytesPerSecond, timed } from '../measure.ts';
import { borg } from '../peers/borg.ts';
import { casync } from '../peers/casync.ts';
import type { Peer, StagedInput } from '../peers/peer.ts';
import { restic } from '../peers/restic.ts';
import { distributionRegistry, strataRegistry, type RegistryKind } from '../registries.ts';
import { compare, comparisonTable, markdownTable, reportHead, round, strataVersion, type Comparison, versionLines } from '../report.ts';
import { Skopeo, skopeoVersion } from '../skopeo.ts';
import type { Suite, SuiteContext } from '../suite.ts';

const FILE_PEERS: readonly Peer[] = [casync, restic, borg];

/** How `strata serve` is run, and what runs after the pushes before its storage is measured. */
interface ServeVariant {
  label: string;
  args: readonly string[];
  /** Work the server leaves in the background, finished on its stopped data directory; returns details for the report. */
  settle?: (dataDir: string, signal: AbortSignal) => Promise<Record<string, unknown>>;
}

export const STRATA_SERVE_VARIANTS: readonly ServeVariant[] = [
  { label: 'layer expansion off', args: [] },
  { label: 'layer expansion on', args: ['--expand-layers'], settle: expandEveryLayer },
];

/**
 * `--expand-layers` expands layers in the background after each push and
 * leaves the compressed chunks to garbage collection. The suite measures the
 * settled store: every layer the server had not reached yet is expanded
 * (its catch-up), then one collection runs; that time counts as ingest time.
 */
async function expandEveryLayer(dataDir: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  // Expansion off here: the catch-up below is the one that runs, not a second one in the background.
  const engine = await openStore(join(dataDir, 'cas'));
  try {
    let correctionBytes = 0;
    const plainReasons = new Set<string>();
    const outcomes = await engine.expandPending({
      signal,
      onProgress: ({ result }) => {
        correctionBytes += result?.correctionBytes ?? 0;
        if (result?.outcome === 'plain' && result.reason) plainReasons.add(result.reason);
      },
    });
    const gc = await engine.collectGarbage({ signal });
    const stats = await engine.stats();
    return { caughtUp: outcomes, correctionBytes, plainReasons: [...plainReasons], gcBytesReclaimed: gc.bytesReclaimed, expandedBlobs: stats.expandedBlobs };
  } finally {
    await engine.close();
  }
}

export interface DedupFigure {
  tool: string;
  /** What the tool was given: compressed layers pushed, or uncompressed tars. */
  input: 'compressed layers (push)' | 'uncompressed tars';
  variant?: string;
  available: boolean;
  reason?: string;
  /** Bytes given to the tool (every image's blobs, or every image's tars, duplicates included). */
  inputBytes?: number;
  storedBytes?: number;
  seconds?: number;
  megabytesPerSecond?: number;
  settings?: string;
  details?: Record<string, unknown>;
}

export const dedupSuite: Suite = {
  name: 'dedup',
  description: 'stored bytes of the image corpus: strata against casync, restic, borg and docker-registry',

  define(command) {
    command.option('--quick', 'the small corpus (a smoke test)');
  },

  async run(_paths, options, context) {
    const { progress, signal } = context;
    const startedAt = new Date();
    progress.begin(3 + STRATA_SERVE_VARIANTS.length + 1 + FILE_PEERS.length);
    progress.step('corpus');
    const corpus = await loadCorpus(options.quick === true ? 'small' : 'full', signal);
    const pushedBytes = corpus.images.reduce((total, image) => total + imageBytes(image), 0);
    const tarBytes = corpus.images.reduce((total, image) => total + image.layers.reduce((sum, layer) => sum + layer.uncompressedSize, 0), 0);

    const figures: DedupFigure[] = [];
    for (const variant of STRATA_SERVE_VARIANTS) {
      progress.step(`strata serve (${variant.label})`);
      figures.push(await measureRegistry(strataRegistry, corpus, pushedBytes, context, variant));
    }
    progress.step('distribution');
    figures.push(await measureRegistry(distributionRegistry, corpus, pushedBytes, context));

    progress.step('strata engine (tars)');
    figures.push(await measureEngineOnTars(corpus, tarBytes, context));

    progress.step('staging tars');
    const staged = await stageTars(corpus, await context.scratch.dir('dedup-tars'), tarBytes);
    for (const peer of FILE_PEERS) {
      progress.step(peer.name);
      figures.push(await measurePeer(peer, staged, context));
    }
    progress.end();

    const comparisons = compareFigures(figures);
    const versions = await toolVersions();
    const head = reportHead('dedup', { startedAt, finishedAt: new Date(), versions });
    const json = {
      ...head,
      input: { corpus: describeCorpus(corpus), images: corpus.images.map((image) => image.name), pushedBytes, tarBytes },
      figures,
      comparisons,
    };
    const table = figuresTable(figures);
    const markdown = [
      `# dedup, ${startedAt.toISOString()}`,
      '',
      `Corpus: ${describeCorpus(corpus)}. Pushed: ${(pushedBytes / 1e6).toFixed(1)} MB of blobs (every image's); as tars: ${(tarBytes / 1e6).toFixed(1)} MB.`,
      '',
      table,
      '',
      comparisonTable(comparisons),
      '',
      ...versionLines(versions),
    ].join('\n');
    return { json, markdown, summary: `${table}\n\n${comparisonTable(comparisons)}`, comparisons };
  },
};

/** Pushes every image of the corpus with skopeo into a fresh registry; stored = its data directory afterwards, caches left out. */
async function measureRegistry(
  kind: RegistryKind,
  corpus: Corpus,
  pushedBytes: number,
  context: SuiteContext,
  variant?: ServeVariant,
): Promise<DedupFigure> {
  const base: DedupFigure = { tool: kind.name, input: 'compressed layers (push)', available: false, settings: kind.settings, ...(variant ? { variant: variant.label } : {}) };
  try {
    const dir = await context.scratch.dir(`dedup-${kind.name}`);
    const registry = await kind.start(dir, variant?.args);
    let seconds = 0;
    try {
      const skopeo = await Skopeo.create(join(dir, 'skopeo'), [registry.host]);
      for (const image of corpus.images) {
        context.progress.detail(image.name);
        const { repository, tag } = repositoryOf(image);
        const push = await timed(() => skopeo.copy(`oci:${corpus.layout}:${image.name}`, `docker://${registry.host}/${repository}:${tag}`, context.signal));
        seconds += push.seconds;
      }
    } finally {
      await registry.stop();
    }
    const data = join(dir, 'data');
    let settled: Record<string, unknown> | undefined;
    if (variant?.settle) {
      context.progress.detail(`${variant.label}: settling`);
      const settle = await timed(() => variant.settle!(data, context.signal));
      seconds += settle.seconds;
      settled = { ...settle.value, settleSeconds: round(settle.seconds) };
    }
    const usage = await diskUsage([data]);
    // strata's hot cache holds copies of served blobs that it may drop at any time: not storage.
    const cache = kind === strataRegistry ? await diskUsage([join(data, 'cas', 'cache')]).catch(() => undefined) : undefined;
    const storedBytes = usage.storedBytes - (cache?.storedBytes ?? 0);
    const storage = kind === strataRegistry ? await strataStorage(join(data, 'cas')) : undefined;
    return {
      ...base,
      available: true,
      inputBytes: pushedBytes,
      storedBytes,
      seconds,
      megabytesPerSecond: megabytesPerSecond(pushedBytes, seconds),
      details: { files: usage.files, ...(storage ? { storage } : {}), ...(cache ? { hotCacheBytesNotCounted: cache.storedBytes } : {}), ...(settled ? { settled } : {}) },
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = `${kind.name} failed (${errorCode(error)}): ${(error as Error).message}`;
    context.warn(reason);
    return { ...base, reason };
  }
}

/** The engine in-process, given each unique layer tar as a blob: the store layer expansion aims at. */
async function measureEngineOnTars(corpus: Corpus, tarBytes: number, context: SuiteContext): Promise<DedupFigure> {
  const dir = await context.scratch.dir('dedup-engine');
  const engine = await openStore(join(dir, 'store'));
  const unique = [...new Map(corpus.images.flatMap((image) => image.layers).map((layer) => [layer.diffId, layer])).values()];
  try {
    const { seconds } = await timed(() =>
      pMap(
        unique,
        async (layer) => {
          await writeBlob(engine, createReadStream(layer.tar, { highWaterMark: 1024 * 1024 }), { size: layer.uncompressedSize }, { signal: context.signal });
        },
        { concurrency: 4, signal: context.signal },
      ),
    );
    const stats = await engine.stats();
    const storage = await strataStorage(join(dir, 'store'));
    return {
      tool: 'strata',
      input: 'uncompressed tars',
      available: true,
      inputBytes: tarBytes,
      storedBytes: stats.storedBytes,
      seconds,
      megabytesPerSecond: megabytesPerSecond(tarBytes, seconds),
      settings: 'engine in-process, each unique layer tar one blob (what layer expansion stores)',
      details: { chunks: stats.chunks, blobs: stats.blobs, dedupRatio: stats.dedupRatio, storage },
    };
  } finally {
    await engine.close();
  }
}

/**
 * Where a cas data directory's bytes are: packs, and the LMDB index, whose
 * file keeps every page it ever grew to (pages a long read transaction held
 * while writes went on stay in it as free pages).
 */
async function strataStorage(casDir: string): Promise<{ packBytes: number; indexBytes: number }> {
  const [packs, index] = await Promise.all([diskUsage([join(casDir, 'packs')]), diskUsage([join(casDir, 'index')])]);
  return { packBytes: packs.storedBytes, indexBytes: index.storedBytes };
}

/** Every image's layers as tars, `IMAGE/NN.tar`, hard links to the corpus's files. */
async function stageTars(corpus: Corpus, dir: string, tarBytes: number): Promise<StagedInput> {
  const root = join(dir, 'images');
  let files = 0;
  for (const image of corpus.images) {
    await mkdir(join(root, image.name), { recursive: true });
    for (const [index, layer] of image.layers.entries()) {
      await link(layer.tar, join(root, image.name, `${String(index).padStart(2, '0')}.tar`));
      files++;
    }
  }
  return { dir: root, files, totalBytes: tarBytes };
}

async function measurePeer(peer: Peer, input: StagedInput, context: SuiteContext): Promise<DedupFigure> {
  const base: DedupFigure = { tool: peer.name, input: 'uncompressed tars', available: false, settings: peer.settings };
  try {
    const run = await peer.run(input, await context.scratch.dir(`dedup-${peer.name}`), context.signal);
    return {
      ...base,
      available: true,
      inputBytes: input.totalBytes,
      storedBytes: run.storedBytes,
      seconds: run.seconds,
      megabytesPerSecond: megabytesPerSecond(input.totalBytes, run.seconds),
      details: { stored: run.storedWhat },
    };
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = `${peer.name} failed (${errorCode(error)}): ${(error as Error).message}`;
    context.warn(reason);
    return { ...base, reason };
  }
}

function compareFigures(figures: readonly DedupFigure[]): Comparison[] {
  const available = figures.filter((figure) => figure.available);
  const peers = available.filter((figure) => figure.tool !== 'strata');
  const best = peers.reduce<DedupFigure | undefined>((smallest, figure) => (!smallest || figure.storedBytes! < smallest.storedBytes! ? figure : smallest), undefined);
  const bestOnTars = peers
    .filter((figure) => figure.input === 'uncompressed tars')
    .reduce<DedupFigure | undefined>((smallest, figure) => (!smallest || figure.storedBytes! < smallest.storedBytes! ? figure : smallest), undefined);
  const distribution = available.find((figure) => figure.tool === distributionRegistry.name);
  const comparisons: (Comparison | undefined)[] = [];
  for (const strata of available.filter((figure) => figure.tool === 'strata' && figure.input === 'compressed layers (push)')) {
    const scenario = `compressed layers pushed${strata.variant ? `, ${strata.variant}` : ''}`;
    const fields = { suite: 'dedup', unit: 'bytes' as const, better: 'lower' as const };
    if (best) comparisons.push(compare({ ...fields, measurement: 'stored bytes', scenario: `${scenario}; best peer`, peer: best.tool, headline: true }, strata.storedBytes, best.storedBytes));
    if (distribution) {
      comparisons.push(compare({ ...fields, measurement: 'stored bytes', scenario, peer: distribution.tool }, strata.storedBytes, distribution.storedBytes));
      comparisons.push(compare({ suite: 'dedup', unit: 'seconds', better: 'lower', measurement: 'push time (skopeo)', scenario, peer: distribution.tool }, strata.seconds, distribution.seconds));
    }
  }
  const engine = available.find((figure) => figure.tool === 'strata' && figure.input === 'uncompressed tars');
  if (engine && bestOnTars) {
    comparisons.push(
      compare({ suite: 'dedup', unit: 'bytes', better: 'lower', measurement: 'stored bytes', scenario: 'uncompressed tars (engine); best file peer', peer: bestOnTars.tool }, engine.storedBytes, bestOnTars.storedBytes),
    );
  }
  return comparisons.filter((comparison): comparison is Comparison => comparison !== undefined);
}

function figuresTable(figures: readonly DedupFigure[]): string {
  return markdownTable(
    ['tool', 'given', 'stored MB', 'stored / given', 'seconds', 'MB/s'],
    figures.map((figure) =>
      figure.available
        ? [
            `${figure.tool}${figure.variant ? ` (${figure.variant})` : ''}`,
            figure.input,
            round(figure.storedBytes! / 1e6),
            round(figure.storedBytes! / figure.inputBytes!),
            round(figure.seconds),
            round(figure.megabytesPerSecond),
          ]
        : [figure.tool, figure.input, 'unavailable', figure.reason],
    ),
  );
}

async function toolVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  const versions: Record<string, string> = { strata: await strataVersion(), node: process.version };
  versions[distributionRegistry.name] = await distributionRegistry.version().catch(unavailable);
  versions.skopeo = await skopeoVersion().catch(unavailable);
  for (const peer of FILE_PEERS) versions[peer.name] = await peer.version().catch(unavailable);
  versions.gzip = await firstLine('gzip', ['--version']).catch(unavailable);
  return versions;
}
