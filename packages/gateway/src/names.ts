/**
 * The OCI distribution grammar for repository names, tags and manifest
 * references.
 */
import { isDigest } from '@strata/digest';

// One path component; components are joined by "/".
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && name.split('/').every((part) => COMPONENT.test(part));
}

/** Whether `repository` is `prefix` or under it, on path-component boundaries; "" holds every repository. */
export function isUnderPrefix(prefix: string, repository: string): boolean {
  return prefix === '' || repository === prefix || repository.startsWith(`${prefix}/`);
}

export function isTag(reference: string): boolean {
  return TAG.test(reference);
}

/** A manifest reference: a digest, or a tag, or neither (malformed). */
export type Reference = { kind: 'digest'; digest: string } | { kind: 'tag'; tag: string } | { kind: 'invalid' };

export function parseReference(reference: string): Reference {
  if (reference.includes(':')) return isDigest(reference) ? { kind: 'digest', digest: reference } : { kind: 'invalid' };
  return isTag(reference) ? { kind: 'tag', tag: reference } : { kind: 'invalid' };
}

/** The resource words that end a repository name in a /v2/ path. */
const RESOURCES = new Set(['blobs', 'manifests', 'tags', 'referrers']);

/**
 * Splits `/v2/<name>/<resource>/...` where the name itself may hold slashes:
 * the resource part has a fixed shape (two segments, or three for
 * `blobs/uploads/<id>`), so it is found from the end. Answers the path with
 * the name as one URL-encoded segment, which the route table then matches,
 * or the path unchanged when it has no repository in it.
 */
export function encodeRepositoryPath(path: string): string {
  if (!path.startsWith('/v2/')) return path;
  const segments = path.slice(4).split('/');
  let nameEnd = -1;
  const n = segments.length;
  if (n >= 4 && segments[n - 3] === 'blobs' && segments[n - 2] === 'uploads') nameEnd = n - 3;
  else if (n >= 3 && RESOURCES.has(segments[n - 2]!)) nameEnd = n - 2;
  if (nameEnd <= 0) return path;
  const name = segments.slice(0, nameEnd).join('/');
  return `/v2/${encodeURIComponent(name)}/${segments.slice(nameEnd).join('/')}`;
}
