import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, which } from './processes.ts';
import type { Workspace } from './workspace.ts';

/**
 * Test images are built here from nothing: no registry on the internet is
 * ever reached. The base is `FROM scratch` plus a static busybox, enough for
 * a container to run `busybox cat /file`.
 */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The static busybox on PATH (Debian's busybox-static); a dynamic one could not run in a scratch image. */
export async function staticBusybox(): Promise<string> {
  const path = await which('busybox');
  if (path === undefined) throw new Error('busybox is not on PATH: install busybox-static');
  if (hasInterpreter(await readFile(path))) throw new Error(`${path} is dynamically linked: install busybox-static`);
  return path;
}

/** Whether an ELF64 executable names a program interpreter (PT_INTERP), i.e. is dynamically linked. */
function hasInterpreter(elf: Buffer): boolean {
  const PT_INTERP = 3;
  const headersAt = Number(elf.readBigUInt64LE(0x20));
  const entrySize = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) if (elf.readUInt32LE(headersAt + i * entrySize) === PT_INTERP) return true;
  return false;
}

/** A file in a layer: its bytes, or a file to copy. */
export interface LayerFile {
  path: string;
  content?: string | Buffer;
  copyOf?: string;
  mode?: number;
}

export interface Layer {
  tar: Buffer;
  gzip: Buffer;
  digest: string;
  diffId: string;
}

/**
 * A reproducible layer: a tar made by GNU tar (sorted, owned by root,
 * `mtime` fixed) and gzipped. The same files and mtime always give the same
 * digest.
 */
export async function buildLayer(workspace: Workspace, files: LayerFile[], mtime = 0): Promise<Layer> {
  const staging = await workspace.dir('layers', `${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const rootfs = join(staging, 'rootfs');
  for (const file of files) {
    const target = join(rootfs, file.path);
    await mkdir(dirname(target), { recursive: true });
    if (file.copyOf !== undefined) await copyFile(file.copyOf, target);
    else await writeFile(target, file.content ?? '');
    if (file.mode !== undefined) await chmod(target, file.mode);
  }
  const tarFile = join(staging, 'layer.tar');
  await run('tar', ['--create', '--file', tarFile, '--directory', rootfs, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '.']);
  const tar = await readFile(tarFile);
  await rm(staging, { recursive: true, force: true });
  const gzip = gzipSync(tar);
  return { tar, gzip, digest: sha256(gzip), diffId: sha256(tar) };
}

/** The busybox base layer: /bin/busybox. */
export async function busyboxLayer(workspace: Workspace, mtime = 0): Promise<Layer> {
  return buildLayer(workspace, [{ path: 'bin/busybox', copyOf: await staticBusybox(), mode: 0o755 }], mtime);
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Image {
  config: Buffer;
  layers: Layer[];
  manifest: Buffer;
  digest: string;
  platform: Platform;
}

export const AMD64: Platform = { architecture: 'amd64', os: 'linux' };

/** An OCI image over `layers`, bottom first. */
export function image(layers: Layer[], platform: Platform = AMD64, cmd: string[] = ['/bin/busybox', 'sh']): Image {
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      config: { Cmd: cmd, Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: layers.map(() => ({ created_by: 'strata client test' })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.gzip.length })),
    }),
  );
  return { config, layers, manifest, digest: sha256(manifest), platform };
}

export interface ImageIndex {
  images: Image[];
  manifest: Buffer;
  digest: string;
}

/** A multi-platform OCI image index over `images`. */
export function imageIndex(images: Image[]): ImageIndex {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map((child) => ({ mediaType: OCI_MANIFEST, digest: child.digest, size: child.manifest.length, platform: child.platform })),
    }),
  );
  return { images, manifest, digest: sha256(manifest) };
}

/** Every blob of an image or index: digest → bytes (manifests included). */
export function blobsOf(what: Image | ImageIndex): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  const add = (img: Image): void => {
    blobs.set(sha256(img.config), img.config);
    for (const layer of img.layers) blobs.set(layer.digest, layer.gzip);
    blobs.set(img.digest, img.manifest);
  };
  if ('images' in what) {
    what.images.forEach(add);
    blobs.set(what.digest, what.manifest);
  } else add(what);
  return blobs;
}

/** Writes an OCI image layout at `dir` holding `entries`, each under its tag. */
export async function writeOciLayout(dir: string, entries: { tag: string; of: Image | ImageIndex }[]): Promise<void> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  for (const { of } of entries) {
    for (const [digest, bytes] of blobsOf(of)) await writeFile(join(blobsDir, digest.slice('sha256:'.length)), bytes);
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: entries.map(({ tag, of }) => ({
        mediaType: 'images' in of ? OCI_INDEX : OCI_MANIFEST,
        digest: of.digest,
        size: of.manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': tag },
      })),
    }),
  );
}

/** Pushes an image over plain HTTP (monolithic uploads), to seed a registry for a pull test without another client. */
export async function pushOverHttp(url: string, repository: string, tag: string, img: Image): Promise<void> {
  for (const [digest, bytes] of blobsOf(img)) {
    if (digest === img.digest) continue;
    const response = await fetch(`${url}/v2/${repository}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
    if (response.status !== 201) throw new Error(`blob push answered ${response.status}: ${await response.text()}`);
  }
  const response = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: img.manifest,
    headers: { 'content-type': OCI_MANIFEST },
  });
  if (response.status !== 201) throw new Error(`manifest push answered ${response.status}: ${await response.text()}`);
}

/** A build context: the static busybox, `files`, and `dockerfile` as Dockerfile. */
export async function buildContext(workspace: Workspace, name: string, dockerfile: string, files: Record<string, string>): Promise<string> {
  const dir = await workspace.dir(name);
  await copyFile(await staticBusybox(), join(dir, 'busybox'));
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}
