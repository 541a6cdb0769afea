import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { createMemoryStore } from '@strata/cas-testsuite';
import { Gateway, LmdbMetadata, startRegistry, type GatewayStore, type RunningRegistry } from '@strata/gateway';

export const silent = pino({ level: 'silent' });

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-gateway-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A registry over the engine in a fresh temp dir on 127.0.0.1:0, closed when the test ends. */
export async function startEngineRegistry(
  t: ExecutionContext,
  options: { deletesEnabled?: boolean; dataDir?: string } & Pick<Parameters<typeof startRegistry>[0], 'lifecycle' | 'quotas' | 'store'> = {},
): Promise<RunningRegistry & { dataDir: string }> {
  const dataDir = options.dataDir ?? (await tempDir(t));
  const registryOptions: Parameters<typeof startRegistry>[0] = { dataDir, port: 0, logger: silent };
  if (options.deletesEnabled !== undefined) registryOptions.deletesEnabled = options.deletesEnabled;
  if (options.lifecycle) registryOptions.lifecycle = options.lifecycle;
  if (options.quotas) registryOptions.quotas = options.quotas;
  if (options.store) registryOptions.store = options.store;
  const registry = await startRegistry(registryOptions);
  t.teardown(() => registry.close());
  return Object.assign(registry, { dataDir });
}

/** A gateway over any store (the in-memory one, a faulty one), with LMDB metadata in a temp dir. */
export async function startGatewayOver(t: ExecutionContext, store: GatewayStore = createMemoryStore()): Promise<Gateway> {
  const metadata = await LmdbMetadata.open(join(await tempDir(t), 'gateway'));
  const gateway = new Gateway({ store, metadata, logger: silent });
  await gateway.listen(0);
  t.teardown(async () => {
    await gateway.close();
    await metadata.close();
  });
  return gateway;
}

export function randomBlob(size: number): { bytes: Buffer; digest: string } {
  const bytes = randomBytes(size);
  return { bytes, digest: sha256(bytes) };
}

/** Resolves a Location header (relative or absolute) against the registry. */
export function at(base: string, location: string | null): string {
  if (!location) throw new Error('no Location header');
  return new URL(location, base).toString();
}

/** Pushes a blob with a monolithic POST ?digest=. */
export async function pushBlob(base: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const response = await fetch(`${base}/v2/${repository}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (response.status !== 201) throw new Error(`push of ${digest} answered ${response.status}: ${await response.text()}`);
  return digest;
}

export interface BuiltImage {
  manifest: Buffer;
  digest: string;
  config: Buffer;
  layers: Buffer[];
}

/** An OCI image manifest over the given config and layers (not pushed). */
export function imageManifest(
  config: Buffer,
  layers: Buffer[],
  extra: Record<string, unknown> = {},
  configMediaType = 'application/vnd.oci.image.config.v1+json',
): BuiltImage {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: configMediaType, digest: sha256(config), size: config.length },
      layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length })),
      ...extra,
    }),
  );
  return { manifest, digest: sha256(manifest), config, layers };
}

/** Pushes config, layers and manifest; the manifest under `reference`. */
export async function pushImage(base: string, repository: string, image: BuiltImage, reference: string): Promise<Response> {
  await pushBlob(base, repository, image.config);
  for (const layer of image.layers) await pushBlob(base, repository, layer);
  return putManifest(base, repository, reference, image.manifest);
}

export function putManifest(
  base: string,
  repository: string,
  reference: string,
  body: Buffer,
  contentType = 'application/vnd.oci.image.manifest.v1+json',
): Promise<Response> {
  return fetch(`${base}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body, headers: { 'content-type': contentType } });
}

/** The OCI error codes of an error answer. */
export async function errorCodes(response: Response): Promise<string[]> {
  const body = (await response.json()) as { errors: { code: string; message: string }[] };
  return body.errors.map((error) => error.code);
}

/** GETs a blob's bytes from a repository (throws on anything but 200). */
export async function pullBlob(base: string, repository: string, digest: string): Promise<Buffer> {
  const response = await fetch(`${base}/v2/${repository}/blobs/${digest}`);
  if (response.status !== 200) throw new Error(`pull of ${digest} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Pulls an image by reference and checks every byte: manifest, config and layers. */
export async function pullsBitExact(base: string, repository: string, reference: string, image: BuiltImage): Promise<boolean> {
  const response = await fetch(`${base}/v2/${repository}/manifests/${reference}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  if (response.status !== 200) return false;
  if (!Buffer.from(await response.arrayBuffer()).equals(image.manifest)) return false;
  for (const blob of [image.config, ...image.layers]) {
    const pulled = await fetch(`${base}/v2/${repository}/blobs/${sha256(blob)}`);
    if (pulled.status !== 200 || !Buffer.from(await pulled.arrayBuffer()).equals(blob)) return false;
  }
  return true;
}
