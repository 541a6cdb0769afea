/**
 * The build suite: a build farm's shared layer cache. A series of
 * Dockerfiles (successive commits of an app from the corpus: the app's
 * dependencies and sources COPYed over the corpus's Debian base, no RUN and
 * no network) is built with `buildah bud --layers --cache-to/--cache-from`
 * against a registry holding the base and the cache: `strata serve`, then
 * docker-registry. Cold: empty local storage, empty cache, every commit in
 * turn. Warm: local storage wiped, the same commits again, every step a hit
 * in the registry's cache. Stored: the registry's data after both.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '@strata/errors';
import { ContainersSandbox } from '../containers-sandbox.ts';
import { describeCorpus, loadCorpus, type Corpus, type CorpusImage } from '../corpus.ts';
import { diskUsage, firstLine, runCommand, timed } from '../measure.ts';
import { distributionRegistry, strataRegistry, type RegistryKind } from '../registries.ts';
import { compare, comparisonTable, markdownTable, reportHead, round, strataVersion, type Comparison, versionLines } from '../report.ts';
import { Skopeo, skopeoVersion } from '../skopeo.ts';
import type { Suite, SuiteContext } from '../suite.ts';

const REGISTRIES: readonly RegistryKind[] = [strataRegistry, distributionRegistry];
const BASE_IMAGE = 'debian-base';
const BASE_REPOSITORY = 'corpus/debian-base:latest';
const CACHE_REPOSITORY = 'build/cache';

type Phase = 'cold' | 'warm';

export interface BuildFigure {
  tool: string;
  phase: Phase | 'stored';
  available: boolean;
  reason?: string;
  /** Wall seconds of the whole series. */
  seconds?: number;
  /** Each commit's build, in order. */
  builds?: { commit: string; seconds: number; cacheHits: number }[];
  storedBytes?: number;
}

export const buildSuite: Suite = {
  name: 'build',
  description: 'buildah --layers builds with a registry cache: strata serve against docker-registry, cold and warm, and bytes stored',

  define(command) {
    command
      .option('--quick', 'the small corpus, the first two commits of the app series (a smoke test)')
      .option('--storage-driver <driver>', 'buildah storage driver (vfs works everywhere; overlay is what most build hosts use)', 'vfs');
  },

  async run(_paths, options, context) {
    const { progress, scratch, signal } = context;
    const quick = options.quick === true;
    const startedAt = new Date();
    progress.begin(2 + REGISTRIES.length);
    progress.step('corpus');
    const corpus = await loadCorpus(quick ? 'small' : 'full', signal);
    const commits = commitsOf(corpus, quick);

    progress.step('build contexts');
    const contextsDir = await scratch.dir('build-contexts');
    const contexts: { commit: string; dir: string }[] = [];
    for (const image of commits) contexts.push({ commit: image.name, dir: await writeBuildContext(image, join(contextsDir, image.name), signal) });

    const figures: BuildFigure[] = [];
    for (const kind of REGISTRIES) {
      progress.step(kind.name);
      figures.push(...(await measureRegistry(kind, corpus, contexts, String(options.storageDriver ?? 'vfs'), context)));
    }
    progress.end();

    const comparisons = compareFigures(figures);
    const versions = await toolVersions();
    const table = markdownTable(
      ['registry', 'phase', 'seconds', 'stored MB', 'builds'],
      figures.map((figure) =>
        figure.available
          ? [figure.tool, figure.phase, round(figure.seconds), round(figure.storedBytes === undefined ? undefined : figure.storedBytes / 1e6), figure.builds?.map((build) => `${build.seconds.toFixed(1)} s (${build.cacheHits} cached)`).join(', ')]
          : [figure.tool, figure.phase, 'unavailable', figure.reason],
      ),
    );
    const json = {
      ...reportHead('build', { startedAt, finishedAt: new Date(), versions }),
      input: { corpus: describeCorpus(corpus), commits: commits.map((image) => image.name), base: BASE_IMAGE },
      settings: `buildah bud --isolation chroot --storage-driver ${String(options.storageDriver ?? 'vfs')} --layers --cache-to REG/build/cache --cache-from REG/build/cache, private storage root, runroot and blob-info cache`,
      figures,
      comparisons,
    };
    const markdown = [
      `# build, ${startedAt.toISOString()}`,
      '',
      `Corpus: ${describeCorpus(corpus)}. Commits built in order: ${commits.map((image) => image.name).join(', ')}; each Dockerfile is FROM the corpus base in the registry, then one COPY per layer of the commit's image.`,
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

/**
 * The commits: the versions of the first app series on the corpus base
 * (quick: its first two). One series keeps a full run within reach: each
 * build with vfs storage copies the whole root file system per step.
 */
function commitsOf(corpus: Corpus, quick: boolean): CorpusImage[] {
  const base = corpus.images.find((image) => image.name === BASE_IMAGE);
  if (!base) throw new Error(`the corpus has no ${BASE_IMAGE} image`);
  const series = corpus.images.find((image) => image.series && image.layers[0]?.diffId === base.layers[0]!.diffId)?.series;
  if (!series) throw new Error('the corpus has no app series on its base');
  const commits = corpus.images.filter((image) => image.series === series).sort((a, b) => a.version! - b.version!);
  return quick ? commits.slice(0, 2) : commits;
}

/** A build context: each layer past the base unpacked in `layer-N/`, and a Dockerfile that COPYs them in order. */
async function writeBuildContext(image: CorpusImage, dir: string, signal: AbortSignal): Promise<string> {
  const lines = ['FROM REGISTRY/' + BASE_REPOSITORY];
  for (const [index, layer] of image.layers.slice(1).entries()) {
    const sub = `layer-${index + 1}`;
    await mkdir(join(dir, sub), { recursive: true });
    await runCommand('tar', ['-xf', layer.tar, '-C', join(dir, sub)], { signal });
    lines.push(`# ${layer.description}`, `COPY ${sub}/ /`);
  }
  await writeFile(join(dir, 'Dockerfile.in'), `${lines.join('\n')}\n`);
  return dir;
}

async function measureRegistry(
  kind: RegistryKind,
  corpus: Corpus,
  contexts: readonly { commit: string; dir: string }[],
  storageDriver: string,
  context: SuiteContext,
): Promise<BuildFigure[]> {
  const { signal, progress } = context;
  const dir = await context.scratch.dir(`build-${kind.name}`);
  try {
    const registry = await kind.start(dir);
    const figures: BuildFigure[] = [];
    try {
      const skopeo = await Skopeo.create(join(dir, 'skopeo'), [registry.host]);
      await skopeo.copy(`oci:${corpus.layout}:${BASE_IMAGE}`, `docker://${registry.host}/${BASE_REPOSITORY}`, signal);
      const sandbox = await ContainersSandbox.create(join(dir, 'buildah'), [registry.host]);
      for (const phase of ['cold', 'warm'] as const) {
        // Clean local storage each phase: warm builds find their layers only in the registry's cache.
        const storage = join(dir, 'buildah', 'storage');
        await rm(storage, { recursive: true, force: true });
        const builds: { commit: string; seconds: number; cacheHits: number }[] = [];
        for (const [index, build] of contexts.entries()) {
          progress.detail(`${phase} ${build.commit}`);
          const dockerfile = join(build.dir, `Dockerfile.${kind.name}`);
          const template = await readFile(join(build.dir, 'Dockerfile.in'), 'utf8');
          await writeFile(dockerfile, template.replace('REGISTRY/', `${registry.host}/`));
          const args = [
            '--root', join(storage, 'root'), '--runroot', join(storage, 'runroot'), '--storage-driver', storageDriver,
            'bud', '--isolation', 'chroot', '--layers', '--tls-verify=false', '--authfile', sandbox.authFile,
            '--cache-to', `${registry.host}/${CACHE_REPOSITORY}`, '--cache-from', `${registry.host}/${CACHE_REPOSITORY}`,
            '-f', dockerfile, '-t', `bench/app:${index + 1}`, build.dir,
          ];
          const { seconds, value } = await timed(() => sandbox.run('buildah', args, signal));
          // buildah says so for each step it took from local storage or the registry cache.
          const cacheHits = `${value.stdout}${value.stderr}`.split('\n').filter((line) => line.includes('Using cache')).length;
          builds.push({ commit: build.commit, seconds, cacheHits });
        }
        figures.push({ tool: kind.name, phase, available: true, seconds: builds.reduce((total, build) => total + build.seconds, 0), builds });
      }
    } finally {
      await registry.stop();
    }
    const data = join(dir, 'data');
    const usage = await diskUsage([data]);
    const cache = kind === strataRegistry ? await diskUsage([join(data, 'cas', 'cache')]).catch(() => undefined) : undefined;
    figures.push({ tool: kind.name, phase: 'stored', available: true, storedBytes: usage.storedBytes - (cache?.storedBytes ?? 0) });
    return figures;
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = `${kind.name} failed (${errorCode(error)}): ${(error as Error).message}`;
    context.warn(reason);
    return (['cold', 'warm', 'stored'] as const).map((phase) => ({ tool: kind.name, phase, available: false, reason }));
  }
}

function compareFigures(figures: readonly BuildFigure[]): Comparison[] {
  const of = (tool: string, phase: BuildFigure['phase']): BuildFigure | undefined => figures.find((figure) => figure.tool === tool && figure.phase === phase && figure.available);
  const peer = distributionRegistry.name;
  const fields = { suite: 'build', peer };
  return [
    compare({ ...fields, measurement: 'build series time', scenario: 'cold (empty local storage and cache)', unit: 'seconds', better: 'lower', headline: true }, of('strata', 'cold')?.seconds, of(peer, 'cold')?.seconds),
    compare({ ...fields, measurement: 'build series time', scenario: 'warm (clean local storage, registry cache)', unit: 'seconds', better: 'lower', headline: true }, of('strata', 'warm')?.seconds, of(peer, 'warm')?.seconds),
    compare({ ...fields, measurement: 'registry stored bytes', scenario: 'after cold and warm series', unit: 'bytes', better: 'lower' }, of('strata', 'stored')?.storedBytes, of(peer, 'stored')?.storedBytes),
  ].filter((comparison): comparison is Comparison => comparison !== undefined);
}

async function toolVersions(): Promise<Record<string, string>> {
  const unavailable = (error: Error): string => `unavailable: ${error.message}`;
  return {
    strata: await strataVersion(),
    node: process.version,
    buildah: await firstLine('buildah', ['--version']).catch(unavailable),
    [distributionRegistry.name]: await distributionRegistry.version().catch(unavailable),
    skopeo: await skopeoVersion().catch(unavailable),
  };
}
