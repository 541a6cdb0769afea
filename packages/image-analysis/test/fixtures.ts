import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ExecutionContext } from 'ava';
import tarStream from 'tar-stream';
import { compress as zstdCompress } from 'zstd-napi';

export interface FileSpec {
  name: string;
  content: Buffer;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-analysis-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `count` files of random content, sizes from 1 to `maxBytes`. */
export function randomFiles(prefix: string, count: number, maxBytes: number): FileSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}/file-${i}`,
    content: randomBytes(1 + Math.floor(Math.random() * maxBytes)),
  }));
}

/** An uncompressed layer tar holding the files (and their directories' entries). */
export async function layerTar(files: readonly FileSpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const pieces: Buffer[] = [];
  const done = (async () => {
    for await (const piece of pack as AsyncIterable<Buffer>) pieces.push(piece);
  })();
  pack.entry({ name: 'etc', type: 'directory', mtime: new Date(0) });
  for (const file of files) pack.entry({ name: file.name, size: file.content.length, mtime: new Date(0) }, file.content);
  pack.finalize();
  await done;
  return Buffer.concat(pieces);
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return zstdCompress(tar);
  return tar;
}

export interface Layer {
  tar: Buffer;
  blob: Buffer;
  files: FileSpec[];
}

export async function makeLayer(files: FileSpec[], compression: Compression): Promise<Layer> {
  const tar = await layerTar(files);
  return { tar, blob: compress(tar, compression), files };
}

const MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export interface ImageSpec {
  tag: string;
  layers: Layer[];
}

function codecOf(blob: Buffer): Compression {
  if (blob[0] === 0x1f && blob[1] === 0x8b) return 'gzip';
  if (blob.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** The manifest, config and blobs of one image, as OCI JSON. */
export function imageBlobs(image: ImageSpec): { manifest: Buffer; config: Buffer; layers: Buffer[] } {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: image.layers.map((layer) => sha256(layer.tar)) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: image.layers.map((layer) => ({ mediaType: MEDIA[codecOf(layer.blob)], digest: sha256(layer.blob), size: layer.blob.length })),
    }),
  );
  return { manifest, config, layers: image.layers.map((layer) => layer.blob) };
}

async function writeBlob(dir: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  return digest;
}

/** An OCI image layout with one tagged manifest per image; `nestedIndex` puts them all under one image index instead. */
export async function writeOciLayout(dir: string, images: readonly ImageSpec[], nestedIndex = false): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const descriptors = [];
  for (const [i, image] of images.entries()) {
    const { manifest, config, layers } = imageBlobs(image);
    await writeBlob(dir, config);
    for (const layer of layers) await writeBlob(dir, layer);
    descriptors.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: await writeBlob(dir, manifest),
      size: manifest.length,
      ...(nestedIndex
        ? { platform: { os: 'linux', architecture: i === 0 ? 'amd64' : 'arm64' } }
        : { annotations: { 'org.opencontainers.image.ref.name': image.tag } }),
    });
  }
  let roots = descriptors;
  if (nestedIndex) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: descriptors }));
    roots = [{
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: await writeBlob(dir, index),
      size: index.length,
      annotations: { 'org.opencontainers.image.ref.name': 'multi' },
    }];
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: roots }));
}

/** A classic `docker save` archive: manifest.json, `<id>.json` configs and `<id>/layer.tar` (uncompressed) layers. */
export async function writeDockerArchive(path: string, images: readonly ImageSpec[]): Promise<void> {
  const pack = tarStream.pack();
  const pieces: Buffer[] = [];
  const done = (async () => {
    for await (const piece of pack as AsyncIterable<Buffer>) pieces.push(piece);
  })();
  const manifest = [];
  const written = new Set<string>();
  for (const image of images) {
    const config = Buffer.from(JSON.stringify({ rootfs: { diff_ids: image.layers.map((layer) => sha256(layer.tar)) } }));
    const configName = `${sha256(config).slice(7)}.json`;
    pack.entry({ name: configName, size: config.length }, config);
    const layers = [];
    for (const layer of image.layers) {
      const id = sha256(layer.tar).slice(7);
      const name = `${id}/layer.tar`;
      if (!written.has(name)) pack.entry({ name, size: layer.tar.length }, layer.tar);
      written.add(name);
      layers.push(name);
    }
    manifest.push({ Config: configName, RepoTags: [image.tag], Layers: layers });
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  pack.entry({ name: 'manifest.json', size: manifestBytes.length }, manifestBytes);
  pack.finalize();
  await done;
  await writeFile(path, Buffer.concat(pieces));
}

/** Distinct file contents and their bytes, computed without the analysis. */
export function distinctFiles(layers: readonly Layer[]): { count: number; bytes: number } {
  const seen = new Map<string, number>();
  for (const layer of layers) for (const file of layer.files) seen.set(sha256(file.content), file.content.length);
  return { count: seen.size, bytes: [...seen.values()].reduce((a, b) => a + b, 0) };
}
