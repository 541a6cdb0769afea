import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { StrataError } from '@strata/errors';
import { packsDir } from './layout.ts';
import { LocalPackStore, type PackStore } from './pack-store.ts';
import { readRecordFile, writeRecordFile } from './record-file.ts';
import { S3PackStore } from './s3-pack-store.ts';

/** Where a store keeps its packs: its data directory (the default) or an S3-compatible bucket. */
export type PackLocation = { kind: 'local' } | S3PackLocation;

export interface S3PackLocation {
  kind: 's3';
  bucket: string;
  /** Key prefix, without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
  /** An S3-compatible endpoint (radosgw, MinIO), addressed path-style; AWS when absent. */
  endpoint?: string;
  /** `us-east-1` by default. */
  region?: string;
  /** Bytes of hot pack ranges cached in the data directory; 1 GiB by default, 0 turns the cache off. */
  cacheBytes?: number;
  /** More S3 client settings; credentials come from the SDK's default provider chain (AWS_* variables, ~/.aws files) otherwise. */
  client?: Partial<S3ClientConfig>;
}

/**
 * Parses `s3://BUCKET/PREFIX` (or `s3://BUCKET` for the bucket's root).
 * InvalidArgument for anything else.
 */
export function parsePackLocation(text: string): S3PackLocation {
  const match = /^s3:\/\/([^/?#]+)(?:\/([^?#]*))?$/.exec(text);
  const bucket = match?.[1];
  // S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens.
  if (!match || !bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new StrataError('InvalidArgument', `packs location ${JSON.stringify(text)} is not s3://BUCKET/PREFIX`);
  }
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part, i, parts) => part === '' && parts.length > 1)) {
    throw new StrataError('InvalidArgument', `packs location ${JSON.stringify(text)} has an empty path segment`);
  }
  return { kind: 's3', bucket, prefix };
}

/** `<dir>/PACKS`: where the store's packs are, when not in `<dir>/packs`. */
export function packLocationFile(dir: string): string {
  return join(dir, 'PACKS');
}

/** `<dir>/staging`: the open pack of a store whose packs are in object storage. */
export function stagingDir(dir: string): string {
  return join(dir, 'staging');
}

/** `<dir>/pack-cache`: hot ranges of packs in object storage (disposable). */
export function packCacheDir(dir: string): string {
  return join(dir, 'pack-cache');
}

interface PackLocationRecord {
  kind: 's3';
  bucket: string;
  prefix: string;
  /** How the bucket was last reached: used when the store is opened without a location. */
  endpoint?: string;
  region?: string;
  /** Written to the prefix's FORMAT object too: the prefix belongs to this store. */
  storeId: string;
}

/**
 * Opens the pack store of the data directory `dir`. A directory is bound to
 * its pack location when first opened: a store whose packs are in a bucket
 * records it (its endpoint, and its store id) in `PACKS`, and opening it
 * with another location, or a bucket prefix owned by another directory, is
 * a FailedPrecondition rather than a silent split of the store. Without a
 * location, the recorded one is used (local packs when none is recorded),
 * so admin commands given only the directory find the packs.
 */
export async function openPackStore(dir: string, requested?: PackLocation): Promise<PackStore> {
  const recorded = await readRecord(dir);
  const location: PackLocation = requested ?? (recorded ? { kind: 's3', bucket: recorded.bucket, prefix: recorded.prefix } : { kind: 'local' });
  if (location.kind === 's3' && requested === undefined && recorded) {
    if (recorded.endpoint !== undefined) location.endpoint = recorded.endpoint;
    if (recorded.region !== undefined) location.region = recorded.region;
  }
  if (location.kind === 'local') {
    if (recorded) {
      throw new StrataError('FailedPrecondition', `the packs of ${dir} are in s3://${recorded.bucket}/${recorded.prefix}, not in the directory`);
    }
    return LocalPackStore.open(packsDir(dir));
  }
  let record = recorded;
  if (record && (record.bucket !== location.bucket || record.prefix !== location.prefix)) {
    throw new StrataError(
      'FailedPrecondition',
      `the packs of ${dir} are in s3://${record.bucket}/${record.prefix}, not s3://${location.bucket}/${location.prefix}`,
    );
  }
  if (!record) {
    const local = await LocalPackStore.open(packsDir(dir));
    const localPacks = await local.list();
    await local.close();
    if (localPacks.length > 0) throw new StrataError('FailedPrecondition', `${dir} keeps its packs in the directory; they do not move to S3`);
    // Recorded before the prefix is claimed: a crash between leaves a claim the next open completes.
    record = { kind: 's3', bucket: location.bucket, prefix: location.prefix, storeId: randomUUID() };
  }
  if (!recorded || recorded.endpoint !== location.endpoint || recorded.region !== location.region) {
    record = { kind: 's3', bucket: record.bucket, prefix: record.prefix, storeId: record.storeId };
    if (location.endpoint !== undefined) record.endpoint = location.endpoint;
    if (location.region !== undefined) record.region = location.region;
    await writeRecordFile(packLocationFile(dir), record);
  }
  const store = await S3PackStore.open({
    bucket: location.bucket,
    prefix: location.prefix,
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    ...(location.region === undefined ? {} : { region: location.region }),
    ...(location.cacheBytes === undefined ? {} : { cacheBytes: location.cacheBytes }),
    ...(location.client === undefined ? {} : { client: location.client }),
    stagingDir: stagingDir(dir),
    cacheDir: packCacheDir(dir),
  });
  try {
    await store.claim(record.storeId);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function readRecord(dir: string): Promise<PackLocationRecord | undefined> {
  const isRecord = (record: Partial<PackLocationRecord>) =>
    record.kind === 's3' && typeof record.bucket === 'string' && typeof record.prefix === 'string' && typeof record.storeId === 'string';
  return readRecordFile<PackLocationRecord>(packLocationFile(dir), isRecord, 'a pack location record');
}
