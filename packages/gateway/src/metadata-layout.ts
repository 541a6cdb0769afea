/**
 * The layout of the gateway's data directory and of its LMDB environment:
 * one place for every path and key, versioned.
 *
 *   <data>/gateway/
 *   ├── FORMAT              JSON: { format: "strata-gateway", version }
 *   ├── LOCK                held by the one process that serves or collects the directory
 *   └── metadata.mdb        LMDB environment (metadata.mdb-lock beside it)
 *       ├── v1/repositories repository                      -> { createdAt }
 *       ├── v1/blob-links   [repository, digest]            -> linkedAt (ms, refreshed on relink)
 *       ├── v1/manifests    [repository, digest]            -> ManifestRecord (msgpack)
 *       ├── v1/tags         [repository, tag]               -> digest
 *       ├── v1/referrers    [repository, subject, digest]   -> ReferrerDescriptor (msgpack)
 *       ├── v1/uploads      uuid                            -> UploadSession (msgpack)
 *       ├── v2/tag-pushes   [repository, tag]               -> pushedAt (ms)
 *       └── v2/pulls        [repository, digest]            -> lastPulledAt (ms)
 *
 * A database's prefix is the format version that introduced it. Version 2
 * added tag push times (retention keeps the last K tags by push time) and
 * manifest pull times (build-cache eviction); it also lets ManifestRecord
 * carry `pushedAt` and `references`, which version 1 records lack (readers
 * fall back to the manifest's link time and to parsing the manifest).
 * Opening a version 1 directory migrates it in place: tag push times are
 * taken from the link time of the tagged manifest, then FORMAT says 2.
 *
 * Keys are lmdb-js ordered keys (arrays compare element by element), so a
 * repository's tags, links or referrers are one contiguous, sorted range.
 * Repository names, tags and digests are ASCII, so `END` sorts after every
 * one of them and closes a range.
 */
import { join } from 'node:path';

export const FORMAT_NAME = 'strata-gateway';
export const FORMAT_VERSION = 2;
/** Versions this code opens, migrating older ones to FORMAT_VERSION. */
export const MIGRATABLE_VERSIONS: readonly number[] = [1];

export function formatFile(dir: string): string {
  return join(dir, 'FORMAT');
}

export function metadataFile(dir: string): string {
  return join(dir, 'metadata.mdb');
}

export function lockFile(dir: string): string {
  return join(dir, 'LOCK');
}

export const DB_REPOSITORIES = 'v1/repositories';
export const DB_BLOB_LINKS = 'v1/blob-links';
export const DB_MANIFESTS = 'v1/manifests';
export const DB_TAGS = 'v1/tags';
export const DB_REFERRERS = 'v1/referrers';
export const DB_UPLOADS = 'v1/uploads';
export const DB_TAG_PUSHES = 'v2/tag-pushes';
export const DB_PULLS = 'v2/pulls';

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

export function pullKey(repository: string, digest: string): Key {
  return [repository, digest];
}

export function referrerKey(repository: string, subject: string, digest: string): Key {
  return [repository, subject, digest];
}

/** The range of keys that start with `prefix`, from just after `after` when given. */
export function prefixRange(prefix: Key, after?: string): { start: Key; end: Key } {
  return { start: after === undefined ? prefix : [...prefix, after], end: [...prefix, END] };
}
