import { StrataError } from '@strata/errors';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Every manifest kind the analysis reads, for Accept headers. */
export const MANIFEST_MEDIA_TYPES = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST] as const;

/** Manifests and indexes larger than this are refused rather than buffered. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** One image found under a root: a name suffix (tag, platform) and its layers in order. */
export interface ManifestImage {
  /** Where it was found below the root, e.g. "linux/amd64"; empty for the root itself. */
  path: string;
  manifestDigest: string;
  layers: Descriptor[];
}

function invalid(what: string, detail: string): StrataError {
  return new StrataError('InvalidArgument', `${what}: ${detail}`);
}

function isIndex(document: Record<string, unknown>, mediaType: string | undefined): boolean {
  const type = (document.mediaType as string | undefined) ?? mediaType;
  if (type === OCI_INDEX || type === DOCKER_MANIFEST_LIST) return true;
  if (type === OCI_MANIFEST || type === DOCKER_MANIFEST) return false;
  return Array.isArray(document.manifests) && !Array.isArray(document.layers);
}

function descriptors(value: unknown, what: string): Descriptor[] {
  if (!Array.isArray(value)) throw invalid(what, 'expected a list of descriptors');
  return value.map((item) => {
    if (typeof item !== 'object' || item === null || typeof (item as Descriptor).digest !== 'string') {
      throw invalid(what, 'a descriptor has no digest');
    }
    return item as Descriptor;
  });
}

export function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid(what, 'not valid JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid(what, 'not a JSON object');
  return document as Record<string, unknown>;
}

function platformOf(descriptor: Descriptor): string {
  const platform = descriptor.platform;
  if (!platform?.os && !platform?.architecture) return descriptor.digest.slice(0, 19);
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * Every image manifest reachable from one manifest or index (followed
 * through nested indexes), with its layers. Descriptors that are neither
 * (attestations, signatures stored as artifacts) count as images when they
 * have layers, as they occupy a registry all the same.
 */
export async function imagesUnder(
  root: Descriptor,
  fetchManifest: (descriptor: Descriptor) => Promise<Uint8Array>,
  path = '',
  depth = 0,
): Promise<ManifestImage[]> {
  if (depth > 8) throw invalid(root.digest, 'indexes nested too deep');
  const document = parseJson(await fetchManifest(root), `manifest ${root.digest}`);
  if (isIndex(document, root.mediaType)) {
    const images: ManifestImage[] = [];
    for (const child of descriptors(document.manifests, `index ${root.digest}`)) {
      const childPath = [path, platformOf(child)].filter(Boolean).join(' ');
      images.push(...(await imagesUnder(child, fetchManifest, childPath, depth + 1)));
    }
    return images;
  }
  return [{ path, manifestDigest: root.digest, layers: descriptors(document.layers ?? [], `manifest ${root.digest}`) }];
}
