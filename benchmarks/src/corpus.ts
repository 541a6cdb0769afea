/**
 * The image corpus the dedup, delta and build suites run on, built (or
 * found in its cache) by `tools/src/build-corpus.ts`: real images from
 * Debian and npm packages in one OCI layout, with each layer's tar beside
 * it. The format is corpus.json, read here as data.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './measure.ts';
import { REPO_ROOT } from './report.ts';

const BUILD_CORPUS = join(REPO_ROOT, 'tools', 'src', 'build-corpus.ts');

export type CorpusSize = 'small' | 'full';

export interface CorpusLayer {
  digest: string;
  mediaType: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
  /** Absolute path of the layer's uncompressed tar. */
  tar: string;
  description: string;
}

export interface CorpusImage {
  name: string;
  series?: string;
  version?: number;
  compression: 'gzip' | 'pigz' | 'zstd';
  manifest: { digest: string; size: number };
  config: { digest: string; size: number };
  layers: CorpusLayer[];
}

export interface Corpus {
  dir: string;
  size: CorpusSize;
  key: string;
  /** Absolute path of the OCI layout; `oci:LAYOUT:NAME` names an image. */
  layout: string;
  images: CorpusImage[];
  debs: Record<string, string>;
  npmBefore: string;
  compressedBytes: number;
  tarBytes: number;
}

/** The corpus of `size`, built first when the cache does not hold it (minutes, downloads from Debian and npm). */
export async function loadCorpus(size: CorpusSize, signal: AbortSignal): Promise<Corpus> {
  const { stdout } = await runCommand(process.execPath, [BUILD_CORPUS, '--size', size], { signal });
  const manifest = stdout.trim().split('\n').at(-1)!;
  const dir = join(manifest, '..');
  const corpus = JSON.parse(await readFile(manifest, 'utf8')) as Omit<Corpus, 'dir'>;
  return {
    ...corpus,
    dir,
    layout: join(dir, corpus.layout),
    images: corpus.images.map((image) => ({ ...image, layers: image.layers.map((layer) => ({ ...layer, tar: join(dir, layer.tar) })) })),
  };
}

/** The image's reference in a registry: a series is one repository with a tag per version. */
export function repositoryOf(image: CorpusImage): { repository: string; tag: string } {
  return image.series ? { repository: `corpus/${image.series}`, tag: `v${image.version}` } : { repository: `corpus/${image.name}`, tag: 'latest' };
}

/** Bytes a pull of the image moves: its layers, config and manifest. */
export function imageBytes(image: CorpusImage): number {
  return image.layers.reduce((total, layer) => total + layer.size, 0) + image.config.size + image.manifest.size;
}

/** Pairs of consecutive versions in each series: (version N present, version N+1 pulled). */
export function versionPairs(corpus: Corpus): [CorpusImage, CorpusImage][] {
  const bySeries = new Map<string, CorpusImage[]>();
  for (const image of corpus.images) if (image.series) bySeries.set(image.series, [...(bySeries.get(image.series) ?? []), image]);
  const pairs: [CorpusImage, CorpusImage][] = [];
  for (const images of bySeries.values()) {
    images.sort((a, b) => a.version! - b.version!);
    for (let at = 1; at < images.length; at++) pairs.push([images[at - 1]!, images[at]!]);
  }
  return pairs;
}

export function describeCorpus(corpus: Corpus): string {
  return `${corpus.size} corpus ${corpus.key}: ${corpus.images.length} images, ${(corpus.compressedBytes / 1e6).toFixed(1)} MB of unique blobs, ${(corpus.tarBytes / 1e6).toFixed(1)} MB of unique layer tars`;
}
