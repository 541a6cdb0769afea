/**
 * Manifest media types and what the gateway reads out of a manifest: the
 * blobs and child manifests it references (which must exist in the
 * repository), its subject (for the referrers API) and its artifact type.
 */
import { isDigest } from '@strata/digest';
import { RegistryError } from './errcode.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const IMAGE_MANIFESTS = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const INDEXES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);

/** The largest manifest the gateway accepts. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  /** Blobs that must be linked in the repository (config and layers). */
  blobs: string[];
  /** Manifests that must exist in the repository (an index's children). */
  manifests: string[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

function invalid(detail: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', { detail });
}

/** The media type of a Content-Type header, without parameters. */
export function bareMediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw invalid(`${where} is not a descriptor`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw invalid(`${where}.mediaType is missing`);
  if (typeof d.digest !== 'string' || !isDigest(d.digest)) throw invalid(`${where}.digest is not a valid digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalid(`${where}.size is invalid`);
  const result: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (typeof d.artifactType === 'string') result.artifactType = d.artifactType;
  if (isStringMap(d.annotations)) result.annotations = d.annotations;
  if (Array.isArray(d.urls) && d.urls.length > 0) result.urls = d.urls.filter((url): url is string => typeof url === 'string');
  return result;
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function descriptors(value: unknown, where: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`${where} is not a list`);
  return value.map((item, i) => descriptor(item, `${where}[${i}]`));
}

/**
 * Validates a manifest body against its media type (the Content-Type the
 * client sent, or the body's own `mediaType` when it sent none) and
 * collects what it references. Any media type of config or layer is
 * accepted, so artifacts and build caches go through unchanged.
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('manifest is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('manifest is not a JSON object');
  const body = json as Record<string, unknown>;
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const header = bareMediaType(contentType);
  let mediaType = header ?? declared;
  if (mediaType === undefined) mediaType = 'manifests' in body ? OCI_INDEX : OCI_MANIFEST;
  if (declared !== undefined && header !== undefined && declared !== header) {
    throw invalid(`mediaType ${declared} does not match Content-Type ${header}`);
  }

  const parsed: ParsedManifest = { mediaType, blobs: [], manifests: [] };
  if (typeof body.artifactType === 'string') parsed.artifactType = body.artifactType;
  if (isStringMap(body.annotations)) parsed.annotations = body.annotations;
  if (body.subject !== undefined) parsed.subject = descriptor(body.subject, 'subject');

  if (IMAGE_MANIFESTS.has(mediaType)) {
    const config = descriptor(body.config, 'config');
    const layers = descriptors(body.layers, 'layers');
    parsed.blobs.push(config.digest);
    // Foreign layers live at their URLs, not in the registry.
    for (const layer of layers) if (!layer.urls) parsed.blobs.push(layer.digest);
    if (parsed.artifactType === undefined && mediaType === OCI_MANIFEST) parsed.artifactType = config.mediaType;
  } else if (INDEXES.has(mediaType)) {
    if (!Array.isArray(body.manifests)) throw invalid('manifests missing');
    for (const child of descriptors(body.manifests, 'manifests')) parsed.manifests.push(child.digest);
  } else {
    throw invalid(`unsupported manifest media type ${mediaType}`);
  }
  return parsed;
}
