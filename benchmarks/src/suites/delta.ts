/**
 * The delta suite: what it costs to pull version N+1 of an image when
 * version N is already on the client. Layer-level pulls (skopeo into an OCI
 * layout that holds version N, so only layers it lacks are fetched) from
 * docker-registry and from `strata serve`, against strata's chunk-aware path
 * (cas-client `pullByChunks` against `strata cas`: for each new layer, the
 * chunks the client's old layers already hold are taken from them, only the
 * rest cross the wire), also with the store's layers expanded and the
 * client holding N's layer tars. Bytes are counted on the wire by a TCP
 * proxy in front of each server; time is the wall time of the N+1 pull.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { connectContentStore, fileChunkSource, pullByChunks, type LocalChunkSource } from '@strata/cas-client';
import { writeBlob, type ChunkTransfer } from '@strata/cas';
import { errorCode } from '@strata/errors';
import { describeCorpus, imageBytes, loadCorpus, repositoryOf, versionPairs, type Corpus, type CorpusImage } from '../corpus.ts';
import { startCountingProxy, type CountingProxy } from '../counting-proxy.ts';
import { runCommand, timed } from '../measure.ts';
import { distributionRegistry, startStrataCas, strataRegistry, type RegistryKind } from '../registries.ts';
import { compare, comparisonTable, markdownTable, reportHead, round, STRATA_CLI, strataVersion, type Comparison, versionLines } from '../report.ts';
import { Skopeo, skopeoVersion } from '../skopeo.ts';
import type { Suite, SuiteContext } from '../suite.ts';

const CHUNKS_COMPRESSED = 'strata chunk-aware (compressed layers)';
const CHUNKS_TARS = 'strata chunk-aware (layer tars)';
const CHUNKS_EXPANDED = 'strata chunk-aware (expanded layers)';
const LAYERS_DISTRIBUTION = 'distribution layer pull (skopeo)';
const LAYERS_STRATA = 'strata serve layer pull (skopeo)';

export interface DeltaFigure {
  path: string;
  /** `series vN → vN+1` */
  pair: string;
  available: boolean;
  reason?: string;
  /** Bytes on the wire, both ways, for the N+1 pull alone. */
  bytesOnWire?: number;
  seconds?: number;
  /** What the N+1 image is in full (its blobs, or its tars for the tar path). */
  imageBytes?: number;
  /** chunk-aware only: bytes taken from the version-N files. */
  reusedBytes?: number;
}

export const deltaSuite: Suite = {
  name: 'delta',
  description: 'bytes moved and time to pull version N+1 with version N present: layer pulls against strata chunk-aware pulls',

  define(command) {
    command.option('--quick', 'the small corpus (a smoke test)');
  },

  async run(_paths, options, context) {
    const { progress, signal } = context;
    const startedAt = new Date();
    progress.begin(6);
    progress.step('corpus');
    const corpus = await loadCorpus(options.quick === true ? 'small' : 'full', signal);
    const pairs = versionPairs(corpus);

    const figures: DeltaFigure[] = [];
    for (const [kind, path] of [
      [distributionRegistry, LAYERS_DISTRIBUTION],
      [strataRegistry, LAYERS_STRATA],
    ] as const) {
      progress.step(path);
      figures.push(...(await guarded(path, pairs, context, () => measureLayerPulls(kind, path, corpus, pairs, context))));
    }
    for (const [path, mode] of [
      [CHUNKS_COMPRESSED, 'compressed'],
      [CHUNKS_TARS, 'tars'],
      [CHUNKS_EXPANDED, 'expanded'],
    ] as const) {
      progress.step(path);
      figures.push(...(await guarded(path, pairs, context, () => measureChunkPulls(path, mode, corpus, pairs, context))));
    }
    progress.end();

    const totals = totalsByPath(figures);
    const comparisons = compareTotals(totals);
    const versions = await toolVersions();
    const json = {
      ...reportHead('delta', { startedAt, finishedAt: new Date(), versions }),
      input: { corpus: describeCorpus(corpus), pairs: pairs.map(pairName) },
      figures,
      totals,
      comparisons,
    };
    const totalsTable = markdownTable(
      ['path', 'pairs', 'MB on the wire', 'seconds', 'MB of the N+1 images'],
      totals.map((total) => [total.path, total.pairs, round(total.bytesOnWire / 1e6), round(total.seconds), round(total.imageBytes / 1e6)]),
    );
    const pairTable = markdownTable(
      ['pair', 'path', 'MB on the wire', 'seconds', 'MB reused locally'],
      figures.map((figure) =>
        figure.available
          ? [figure.pair, figure.path, round(figure.bytesOnWire! / 1e6), round(figure.seconds), round(figure.reusedBytes === undefined ? undefined : figure.reusedBytes / 1e6)]
          : [figure.pair, figure.path, 'unavailable', figure.reason],
      ),
    );
    const markdown = [
      `# delta, ${startedAt.toISOString()}`,
      '',
      `Corpus: ${describeCorpus(corpus)}. Each pair: version N is on the client, version N+1 is pulled; bytes are counted by a TCP proxy (both ways).`,
      '',
      totalsTable,
      '',
      comparisonTable(comparisons),
      '',
      '## Each pair',
      '',
      pairTable,
      '',
      ...versionLines(versions),
    ].join('\n');
    return { json, markdown, summary: `${totalsTable}\n\n${comparisonTable(comparisons)}`, comparisons };
  },
};

function pairName([from, to]: [CorpusImage, CorpusImage]): string {
  return `${from.series} v${from.version} → v${to.version}`;
}

/** A path that fails is reported as unavailable for every pair, with the reason; the run goes on. */
async function guarded(path: string, pairs: [CorpusImage, CorpusImage][], context: SuiteContext, work: () => Promise<DeltaFigure[]>): Promise<DeltaFigure[]> {
  try {
    return await work();
  } catch (error) {
    if (context.signal.aborted) throw error;
    const reason = `${path} failed (${errorCode(error)}): ${(error as Error).message}`;
    context.warn(reason);
    return pairs.map((pair) => ({ path, pair: pairName(pair), available: false, reason }));
  }
}

/** Every image pushed untimed; per pair, N pulled into a fresh OCI layout, then N+1 into the same layout through the proxy. */
async function measureLayerPulls(
  kind: RegistryKind,
  path: string,
  corpus: Corpus,
  pairs: [CorpusImage, CorpusImage][],
  context: SuiteContext,
): Promise<DeltaFigure[]> {
  const dir = await context.scratch.dir(`delta-${kind.name}`);
  const registry = await kind.start(dir);
  const [host, port] = registry.host.split(':') as [string, string];
  const proxy = await startCountingProxy({ host, port: Number(port) });
  const proxied = `${proxy.host}:${proxy.port}`;
  const figures: DeltaFigure[] = [];
  try {
    const skopeo = await Skopeo.create(join(dir, 'skopeo'), [registry.host, proxied]);
    const reference = (image: CorpusImage, at: string): string => {
      const { repository, tag } = repositoryOf(image);
      return `docker://${at}/${repository}:${tag}`;
    };
    const pushed = new Set<string>();
    for (const image of pairs.flat()) {
      if (pushed.has(image.name)) continue;
      pushed.add(image.name);
      context.progress.detail(`push ${image.name}`);
      await skopeo.copy(`oci:${corpus.layout}:${image.name}`, reference(image, registry.host), context.signal);
    }
    for (const [index, pair] of pairs.entries()) {
      const [from, to] = pair;
      context.progress.detail(pairName(pair));
      const layout = join(dir, `client-${index}`);
      await skopeo.copy(reference(from, proxied), `oci:${layout}:${from.name}`, context.signal);
      proxy.reset();
      const { seconds } = await timed(() => skopeo.copy(reference(to, proxied), `oci:${layout}:${to.name}`, context.signal));
      const { down, up } = proxy.counts();
      figures.push({ path, pair: pairName(pair), available: true, bytesOnWire: down + up, seconds, imageBytes: imageBytes(to) });
    }
  } finally {
    await proxy.close();
    await registry.stop();
  }
  return figures;
}

/** Chunks of several local files: the client's copy of version N (layer tars cut as the store cuts expanded layers when `tar`). */
async function localFiles(files: readonly { path: string; tar: boolean }[], store: ChunkTransfer): Promise<LocalChunkSource & { close(): Promise<void> }> {
  const chunking = await store.chunking();
  const sources = await Promise.all(files.map(({ path, tar }) => fileChunkSource(path, chunking, { tar })));
  return {
    has(digest) {
      return sources.some((source) => source.has(digest));
    },
    async get(digest) {
      for (const source of sources) {
        const bytes = await source.get(digest);
        if (bytes) return bytes;
      }
      return undefined;
    },
    close: async () => void (await Promise.all(sources.map((source) => source.close()))),
  };
}

interface Piece {
  digest: string;
  size: number;
  path: string;
  /** A layer tar. */
  tar?: boolean;
}

/**
 * How the chunk path runs: the compressed blobs as pushed; the layer tars
 * instead of them (stored and held); or the compressed blobs expanded in
 * the store, pulled by a client that holds N's layer tars.
 */
type ChunkMode = 'compressed' | 'tars' | 'expanded';

/** What the client fetches of an image on the chunk path: config, manifest and layers (or the layers' tars). */
function piecesOf(corpus: Corpus, image: CorpusImage, tars: boolean): Piece[] {
  const blob = (digest: string): string => join(corpus.layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const layers = image.layers.map((layer) =>
    tars ? { digest: layer.diffId, size: layer.uncompressedSize, path: layer.tar, tar: true } : { digest: layer.digest, size: layer.size, path: blob(layer.digest) },
  );
  return [
    { digest: image.manifest.digest, size: image.manifest.size, path: blob(image.manifest.digest) },
    { digest: image.config.digest, size: image.config.size, path: blob(image.config.digest) },
    ...layers,
  ];
}

/**
 * `strata cas` holding every image of the pairs; per pair, each piece of
 * N+1 the client lacks by digest is pulled with `pullByChunks`, taking what
 * N's files hold locally. In `expanded` mode the store is stopped once the
 * blobs are in, `strata expand` expands every layer, and it starts again.
 */
async function measureChunkPulls(path: string, mode: ChunkMode, corpus: Corpus, pairs: [CorpusImage, CorpusImage][], context: SuiteContext): Promise<DeltaFigure[]> {
  const tars = mode === 'tars';
  const dir = await context.scratch.dir('delta-cas');
  let cas = await startStrataCas(dir);
  try {
    const direct = connectContentStore(`${cas.host}:${cas.port}`);
    try {
      const stored = new Set<string>();
      for (const piece of pairs.flat().flatMap((image) => piecesOf(corpus, image, tars))) {
        if (stored.has(piece.digest)) continue;
        stored.add(piece.digest);
        context.progress.detail(`store ${piece.digest.slice(7, 19)}`);
        await writeBlob(direct, createReadStream(piece.path, { highWaterMark: 1024 * 1024 }), { size: piece.size, digest: piece.digest }, { signal: context.signal });
      }
    } finally {
      await direct.close();
    }
    if (mode === 'expanded') {
      await cas.stop();
      context.progress.detail('strata expand');
      await runCommand(process.execPath, [STRATA_CLI, 'expand', '--data', join(dir, 'data')], { signal: context.signal });
      cas = await startStrataCas(dir, { args: ['--expand-layers'] });
    }
    return await pullPairs(cas, dir, path, mode, corpus, pairs, context);
  } finally {
    await cas.stop();
  }
}

async function pullPairs(
  cas: { host: string; port: number },
  dir: string,
  path: string,
  mode: ChunkMode,
  corpus: Corpus,
  pairs: [CorpusImage, CorpusImage][],
  context: SuiteContext,
): Promise<DeltaFigure[]> {
  const tars = mode === 'tars';
  const proxy = await startCountingProxy(cas);
  const store = connectContentStore(`${proxy.host}:${proxy.port}`);
  const figures: DeltaFigure[] = [];
  try {
    // The channel is connected before the first timed pull, as a client that already talks to its store.
    await store.chunking();
    for (const [index, pair] of pairs.entries()) {
      const [from, to] = pair;
      context.progress.detail(pairName(pair));
      const heldDigests = new Set(piecesOf(corpus, from, tars).map((piece) => piece.digest));
      // With expanded layers the client's copy of N is its layer tars, the store's pieces the compressed layers.
      const heldFiles = piecesOf(corpus, from, tars || mode === 'expanded').filter((piece) => piece.size > 0);
      const local = await localFiles(heldFiles.map((piece) => ({ path: piece.path, tar: piece.tar === true && mode === 'expanded' })), store);
      let reusedBytes = 0;
      proxy.reset();
      try {
        const { seconds } = await timed(async () => {
          for (const [at, piece] of piecesOf(corpus, to, tars).entries()) {
            if (heldDigests.has(piece.digest)) continue;
            const report = await pullByChunks(store, piece.digest, local, join(dir, `pulled-${index}-${at}`), { signal: context.signal });
            reusedBytes += report.reusedBytes;
          }
        });
        const { down, up } = proxy.counts();
        const wholeImage = piecesOf(corpus, to, tars).reduce((total, piece) => total + piece.size, 0);
        figures.push({ path, pair: pairName(pair), available: true, bytesOnWire: down + up, seconds, imageBytes: wholeImage, reusedBytes });
      } finally {
        await local.close();
      }
    }
  } finally {
    await store.close();
    await proxy.close();
  }
  return figures;
}

interface Total {
  path: string;
  pairs: number;
  bytesOnWire: number;
  seconds: number;
  imageBytes: number;
}

function totalsByPath(figures: readonly DeltaFigure[]): Total[] {
  const totals = new Map<string, Total>();
  for (const figure of figures) {
    if (!figure.available) continue;
    const total = totals.get(figure.path) ?? { path: figure.path, pairs: 0, bytesOnWire: 0, seconds: 0, imageBytes: 0 };
    total.pairs++;
    total.bytesOnWire += figure.bytesOnWire!;
    total.seconds += figure.seconds!;
    total.imageBytes += figure.imageBytes!;
    totals.set(figure.path, total);
  }
  return [...totals.values()];
}

function compareTotals(totals: readonly Total[]): Comparison[] {
  const of = (path: string): Total | undefined => totals.find((total) => total.path === path);
  const peer = of(LAYERS_DISTRIBUTION);
  const comparisons: (Comparison | undefined)[] = [];
  for (const [path, headline] of [
    [CHUNKS_COMPRESSED, true],
    [CHUNKS_TARS, false],
    [CHUNKS_EXPANDED, false],
    [LAYERS_STRATA, false],
  ] as const) {
    const strata = of(path);
    if (!strata || !peer) continue;
    const fields = { suite: 'delta', scenario: `${path}, every version pair`, peer: LAYERS_DISTRIBUTION };
    comparisons.push(compare({ ...fields, measurement: 'bytes on the wire', unit: 'bytes', better: 'lower', headline }, strata.bytesOnWire, peer.bytesOnWire));
    comparisons.push(compare({ ...fields, measurement: 'pull time', unit: 'seconds', better: 'lower' }, strata.seconds, peer.seconds));
  }
  return comparisons.filter((comparison): comparison is Comparison => comparison !== undefined);
}

async function toolVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  return {
    strata: await strataVersion(),
    node: process.version,
    [distributionRegistry.name]: await distributionRegistry.version().catch(unavailable),
    skopeo: await skopeoVersion().catch(unavailable),
  };
}
