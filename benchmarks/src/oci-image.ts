/**
 * A multi-layer image built from real files of this machine, as an OCI
 * layout the pull suite pushes with skopeo. Building takes a while (gzip of
 * hundreds of MB), so the layout is kept under `benchmarks/.cache/`, keyed by
 * how it was made, and reused by later runs.
 */
import { spawn } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pMap from 'p-map';
import { StrataError } from '@strata/errors';
import { sampleInput, type InputFile } from './input.ts';
import { REPO_ROOT } from './report.ts';

export const CACHE_DIR = join(REPO_ROOT, 'benchmarks', '.cache');

export interface ImageRecipe {
  /** Names the cached layout; change it when the recipe changes. */
  name: string;
  roots: readonly string[];
  /** Uncompressed bytes sampled from `roots`. */
  sampleBytes: number;
  layers: number;
}

export interface OciImage {
  /** The OCI layout directory; the image is tagged `tag` in its index. */
  layout: string;
  tag: string;
  description: string;
  files: number;
  layers: { digest: string; size: number; uncompressedBytes: number }[];
  /** Layers, config and manifest: what a pull transfers. */
  totalBytes: number;
  uncompressedBytes: number;
}

const TAG = 'bench';
const GZIP_LEVEL = 6;
const MANIFEST_FILE = 'image.json';

/** The image of `recipe`, from the cache when it was built before. */
export async function cachedImage(recipe: ImageRecipe, signal: AbortSignal): Promise<OciImage> {
  const layout = join(CACHE_DIR, `image-${recipe.name}`);
  const cached = await readFile(join(layout, MANIFEST_FILE), 'utf8').then(
    (text) => JSON.parse(text) as OciImage,
    () => undefined,
  );
  if (cached) return { ...cached, layout };
  const building = `${layout}.partial`;
  await rm(building, { recursive: true, force: true });
  try {
    const image = await buildImage(recipe, building, signal);
    await rename(building, layout);
    return { ...image, layout };
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

async function buildImage(recipe: ImageRecipe, layout: string, signal: AbortSignal): Promise<OciImage> {
  const blobs = join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const input = await sampleInput(recipe.roots, recipe.sampleBytes, signal);
  // Consecutive runs of the hash-ordered sample: each layer mixes every kind of file the tree holds.
  const perLayer = Math.ceil(input.files.length / recipe.layers);
  const groups = Array.from({ length: recipe.layers }, (_, at) => input.files.slice(at * perLayer, (at + 1) * perLayer)).filter(
    (group) => group.length > 0,
  );
  const layers = await pMap(groups, (files) => writeLayer(files, blobs, signal), { concurrency: 2, signal });

  const config = jsonBlob({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history: layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'strata benchmarks: files sampled from /usr' })),
  });
  const manifest = jsonBlob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.byteLength },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size })),
  });
  for (const blob of [config, manifest]) await writeFile(join(blobs, blob.digest.slice('sha256:'.length)), blob.bytes);
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifest.digest,
          size: manifest.bytes.byteLength,
          annotations: { 'org.opencontainers.image.ref.name': TAG },
        },
      ],
    }),
  );
  const layerBytes = layers.reduce((total, layer) => total + layer.size, 0);
  const image: OciImage = {
    layout,
    tag: TAG,
    description: `${input.files.length} files sampled from ${recipe.roots.join(', ')} (${input.description}), ${layers.length} tar+gzip -${GZIP_LEVEL} layers`,
    files: input.files.length,
    layers: layers.map(({ digest, size, uncompressedBytes }) => ({ digest, size, uncompressedBytes })),
    totalBytes: layerBytes + config.bytes.byteLength + manifest.bytes.byteLength,
    uncompressedBytes: layers.reduce((total, layer) => total + layer.uncompressedBytes, 0),
  };
  // Written last: its presence is what marks the layout complete.
  // The layout's path is left out: the directory is renamed once complete.
  await writeFile(join(layout, MANIFEST_FILE), JSON.stringify({ ...image, layout: undefined }, null, 2));
  return image;
}

function jsonBlob(value: unknown): { digest: string; bytes: Buffer } {
  const bytes = Buffer.from(JSON.stringify(value));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

/** Passes bytes through, hashing and counting them. */
function hashing(hash: Hash, count: { bytes: number }): Transform {
  return new Transform({
    transform(piece: Buffer, _encoding, done) {
      hash.update(piece);
      count.bytes += piece.byteLength;
      done(null, piece);
    },
  });
}

/**
 * One layer: GNU tar of `files` with owners and times fixed (so the same
 * files always give the same digest), gzip-compressed, stored by digest.
 */
async function writeLayer(
  files: readonly InputFile[],
  blobs: string,
  signal: AbortSignal,
): Promise<{ digest: string; diffId: string; size: number; uncompressedBytes: number }> {
  const tar = spawn(
    'tar',
    ['--create', '--file=-', '--directory=/', '--no-recursion', '--null', '--files-from=-', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0'],
    { stdio: ['pipe', 'pipe', 'pipe'], signal },
  );
  const stderr: Buffer[] = [];
  tar.stderr.on('data', (piece: Buffer) => stderr.push(piece));
  const exited = new Promise<void>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new StrataError('Internal', `tar failed (exit ${code}): ${Buffer.concat(stderr).toString().trim().slice(-500)}`)),
    );
  });
  tar.stdin.end(files.map((file) => `${file.path.replace(/^\/+/, '')}\0`).join(''));
  const diff = createHash('sha256');
  const compressed = createHash('sha256');
  const uncompressed = { bytes: 0 };
  const written = { bytes: 0 };
  const partial = join(blobs, `layer-${process.pid}-${Math.random().toString(16).slice(2)}`);
  await Promise.all([
    pipeline(tar.stdout, hashing(diff, uncompressed), createGzip({ level: GZIP_LEVEL }), hashing(compressed, written), createWriteStream(partial), {
      signal,
    }),
    exited,
  ]);
  const hex = compressed.digest('hex');
  await rename(partial, join(blobs, hex));
  const { size } = await stat(join(blobs, hex));
  return { digest: `sha256:${hex}`, diffId: `sha256:${diff.digest('hex')}`, size, uncompressedBytes: uncompressed.bytes };
}
