/**
 * The layout of the gateway's data directory and of its LMDB environment:
 * one place for every path and key, versioned.
 *
 *   <data>/gateway/
 *   ├── FORMAT              JSON: { format: "strata-gateway", version }
 *   └── metadata.mdb        LMDB environment (metadata.mdb-lock beside it)
 *       ├── v1/repositories repository                      -> { createdAt }
 *       ├── v1/blob-links   [repository, digest]            -> linkedAt (ms)
 *       ├── v1/manifests    [repository, digest]            -> ManifestRecord (msgpack)
 *       ├── v1/tags         [repository, tag]               -> digest
 *       ├── v1/referrers    [repository, subject, digest]   -> ReferrerDescriptor (msgpack)
 *       └── v1/uploads      uuid                            -> UploadSession (msgpack)
 *
 * Keys are lmdb-js ordered keys (arrays compare element by element), so a
 * repository's tags, links or referrers are one contiguous, sorted range.
 * Repository names, tags and digests are ASCII, so `END` sorts after every
 * one of them and closes a range.
 */
import { join } from 'node:path';

export const FORMAT_NAME = 'strata-gateway';
export const FORMAT_VERSION = 1;

export function formatFile(dir: string): string {
  return join(dir, 'FORMAT');
}

export function metadataFile(dir: string): string {
  return join(dir, 'metadata.mdb');
}

export const DB_REPOSITORIES = `v${FORMAT_VERSION}/repositories`;
export const DB_BLOB_LINKS = `v${FORMAT_VERSION}/blob-links`;
export const DB_MANIFESTS = `v${FORMAT_VERSION}/manifests`;
export const DB_TAGS = `v${FORMAT_VERSION}/tags`;
export const DB_REFERRERS = `v${FORMAT_VERSION}/referrers`;
export const DB_UPLOADS = `v${FORMAT_VERSION}/uploads`;

/** Sorts after every ASCII string. */
export const END = '\uffff';

export type Key = string[];

export function repositoryKey(repository: string): string {
  return repository;
}

export function blobLinkKey(repository: string, digest: string): Key {
  return [repository, digest];
}

export function manifestKey(repository: string, digest: string): Key {
  return [repository, digest];
}

export function tagKey(repository: string, tag: string): Key {
  return [repository, tag];
}

export function referrerKey(repository: string, subject: string, digest: string): Key {
  return [repository, subject, digest];
}

/** The range of keys that start with `prefix`, from just after `after` when given. */
export function prefixRange(prefix: Key, after?: string): { start: Key; end: Key } {
  return { start: after === undefined ? prefix : [...prefix, after], end: [...prefix, END] };
}
