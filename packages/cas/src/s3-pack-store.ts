import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { isDataLoss, StrataError } from '@strata/errors';
import { PackRangeCache } from './pack-range-cache.ts';
import { FilePackAppender, packFileName, type PackAppender, type PackStore } from './pack-store.ts';

export const DEFAULT_S3_REGION = 'us-east-1';

/** Bytes of hot pack ranges kept on local disk by default. */
export const DEFAULT_PACK_CACHE_BYTES = 1024 * 1024 * 1024;

export interface S3PackStoreOptions {
  bucket: string;
  /** Key prefix of the store's objects, without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
  /** An S3-compatible endpoint (radosgw, MinIO); addressed path-style. AWS itself when absent. */
  endpoint?: string;
  region?: string;
  /** Where the open pack is written until it is sealed and uploaded. */
  stagingDir: string;
  /** Where hot pack ranges are kept. */
  cacheDir: string;
  /** Bound of the range cache; 0 turns it off. */
  cacheBytes?: number;
  /** More S3 client settings (credentials, retries); by default the SDK's provider chain and retry policy. */
  client?: Partial<S3ClientConfig>;
}

/** S3 requests made by a store, by operation. */
export interface S3RequestCounts {
  put: number;
  get: number;
  head: number;
  list: number;
  delete: number;
}

const PREFIX_FORMAT_NAME = 'strata-cas-packs';
const PREFIX_FORMAT_VERSION = 1;

/** The `PREFIX/FORMAT` object: which store owns the prefix. */
interface PrefixFormat {
  format: string;
  version: number;
  storeId: string;
  createdAt: string;
}

// Sealed packs whose local copies keep serving reads after their upload.
const KEEP_PUBLISHED_COPIES = 2;

type StagedState = 'open' | 'sealed' | 'published';

/**
 * Packs as objects `PREFIX/packs/<8-digit id>.pack` in an S3-compatible
 * bucket. The open pack is a local file (appends, resume and truncation as
 * on a local disk); a sealed pack is uploaded whole, once, with
 * `If-None-Match: *` so no pack is ever overwritten, and counts as durable
 * only when a HEAD confirms its size. Sealed packs are immutable, so their
 * sizes are cached and their bytes are read by ranged GETs through a
 * bounded cache of hot ranges. A staged pack left by an earlier process
 * is dropped when the store opens: a pack's records are durable only once
 * it is uploaded, so no index entry refers to it.
 */
export class S3PackStore implements PackStore {
  readonly durableOnSeal = true;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #stagingDir: string;
  #cache!: PackRangeCache;
  // Packs with a local file: the open one, sealed ones waiting for upload, recent uploads.
  readonly #staged = new Map<number, StagedState>();
  // Sizes of uploaded packs (immutable).
  readonly #sizes = new Map<number, number>();
  readonly #removed = new Set<number>();
  readonly #counts: S3RequestCounts = { put: 0, get: 0, head: 0, list: 0, delete: 0 };

  private constructor(options: S3PackStoreOptions, client: S3Client) {
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.#client = client;
    this.#stagingDir = options.stagingDir;
  }

  static async open(options: S3PackStoreOptions): Promise<S3PackStore> {
    const store = new S3PackStore(options, createS3Client(options));
    try {
      await rm(options.stagingDir, { recursive: true, force: true });
      await mkdir(options.stagingDir, { recursive: true });
      store.#cache = await PackRangeCache.open(options.cacheDir, options.cacheBytes ?? DEFAULT_PACK_CACHE_BYTES, (packId, start, length) =>
        store.#getRange(packId, start, length),
      );
    } catch (error) {
      store.#client.destroy();
      throw error;
    }
    return store;
  }

  /**
   * Makes the prefix this store's: its FORMAT object names one store id,
   * written with If-None-Match when the prefix is new. FailedPrecondition
   * when another store (another data directory) owns it, so two stores
   * never write pack ids that collide.
   */
  async claim(storeId: string): Promise<void> {
    const key = objectKey(this.prefix, 'FORMAT');
    let owner = await this.#readFormat(key);
    if (owner === undefined) {
      const record: PrefixFormat = { format: PREFIX_FORMAT_NAME, version: PREFIX_FORMAT_VERSION, storeId, createdAt: new Date().toISOString() };
      try {
        this.#counts.put++;
        await this.#client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: `${JSON.stringify(record, null, 2)}\n`, IfNoneMatch: '*', ContentType: 'application/json' }),
        );
        return;
      } catch (error) {
        if (httpStatus(error) !== 412) throw s3Failure(error, `claiming s3://${this.bucket}/${this.prefix}`);
      }
      // Another store created it first.
      owner = await this.#readFormat(key);
    }
    if (owner?.format !== PREFIX_FORMAT_NAME || owner.storeId !== storeId) {
      throw new StrataError(
        'FailedPrecondition',
        `s3://${this.bucket}/${key} belongs to another strata store (${owner?.storeId ?? 'unknown'}): one data directory owns a pack prefix`,
        { details: { bucket: this.bucket, prefix: this.prefix, owner: owner?.storeId, storeId } },
      );
    }
  }

  async #readFormat(key: string): Promise<Partial<PrefixFormat> | undefined> {
    let text: string;
    try {
      this.#counts.get++;
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = await response.Body!.transformToString();
    } catch (error) {
      if (httpStatus(error) === 404 && errorName(error) !== 'NoSuchBucket') return undefined;
      throw s3Failure(error, `reading s3://${this.bucket}/${key}`);
    }
    try {
      return JSON.parse(text) as Partial<PrefixFormat>;
    } catch (error) {
      throw new StrataError('FailedPrecondition', `s3://${this.bucket}/${key} is not a strata pack prefix`, { cause: error });
    }
  }

  /** Requests made so far, by operation. */
  requestCounts(): S3RequestCounts {
    return { ...this.#counts };
  }

  /** The range cache's blocks served and fetched, and its size. */
  cacheStats(): { hits: number; misses: number; bytes: number; blocks: number } {
    return this.#cache.stats();
  }

  #key(packId: number): string {
    return objectKey(this.prefix, `packs/${packFileName(packId)}`);
  }

  #stagedPath(packId: number): string {
    return join(this.#stagingDir, packFileName(packId));
  }

  async list(): Promise<number[]> {
    const ids = new Set<number>();
    const prefix = objectKey(this.prefix, 'packs/');
    let token: string | undefined;
    do {
      this.#counts.list++;
      const page = await this.#send('list packs', () =>
        this.#client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const object of page.Contents ?? []) {
        const id = /^(\d{8})\.pack$/.exec(object.Key?.slice(prefix.length) ?? '')?.[1];
        if (id === undefined) continue;
        ids.add(Number(id));
        if (object.Size !== undefined) this.#sizes.set(Number(id), object.Size);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (const [packId, state] of this.#staged) if (state !== 'published') ids.add(packId);
    for (const packId of this.#removed) ids.delete(packId);
    return [...ids].sort((a, b) => a - b);
  }

  async size(packId: number): Promise<number> {
    if (this.#isLocal(packId)) return (await stat(this.#stagedPath(packId))).size;
    const known = this.#sizes.get(packId);
    if (known !== undefined) return known;
    this.#counts.head++;
    const head = await this.#send(`pack ${packId}`, () => this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(packId) })), packId);
    const size = head.ContentLength ?? 0;
    this.#sizes.set(packId, size);
    return size;
  }

  // Open and sealed-but-not-uploaded packs exist only in the staging dir.
  #isLocal(packId: number): boolean {
    const state = this.#staged.get(packId);
    return state === 'open' || state === 'sealed';
  }

  async read(packId: number, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    if (this.#staged.has(packId)) {
      const local = await this.#readStaged(packId, offset, length);
      if (local) return local;
    }
    const bytes = await this.#cache.read(packId, offset, length);
    if (bytes.byteLength < length) throw packTooShort(packId, offset, length);
    return bytes;
  }

  // Undefined when the local copy went away (pruned after its upload): the object has the bytes.
  async #readStaged(packId: number, offset: number, length: number): Promise<Buffer | undefined> {
    let handle;
    try {
      handle = await open(this.#stagedPath(packId), 'r');
    } catch (error) {
      if (!this.#isLocal(packId) && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StrataError('DataLoss', `pack ${packId} cannot be opened`, { cause: error, details: { packId } });
    }
    try {
      const buffer = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw packTooShort(packId, offset, length);
        done += bytesRead;
      }
      return buffer;
    } finally {
      await handle.close();
    }
  }

  async #getRange(packId: number, start: number, length: number): Promise<Buffer> {
    this.#counts.get++;
    return this.#send(
      `pack ${packId}`,
      async () => {
        const response = await this.#client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(packId), Range: `bytes=${start}-${start + length - 1}` }),
        );
        const bytes = await response.Body!.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      packId,
      { offset: start, length },
    );
  }

  async create(packId: number): Promise<PackAppender> {
    try {
      const handle = await open(this.#stagedPath(packId), 'wx');
      this.#staged.set(packId, 'open');
      this.#removed.delete(packId);
      return new FilePackAppender(packId, handle, 0, () => this.#publish(packId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new StrataError('AlreadyExists', `pack ${packId} exists`, { cause: error });
      }
      throw error;
    }
  }

  async resume(packId: number, length: number): Promise<PackAppender> {
    if (!this.#isLocal(packId)) {
      throw new StrataError('FailedPrecondition', `pack ${packId} is uploaded: it cannot be appended to`, { details: { packId } });
    }
    const handle = await open(this.#stagedPath(packId), 'r+');
    await handle.truncate(length);
    await handle.sync();
    this.#staged.set(packId, 'open');
    return new FilePackAppender(packId, handle, length, () => this.#publish(packId));
  }

  /**
   * Uploads a sealed staged pack. An object already under its key fails the
   * upload (If-None-Match), unless it is this very pack, put by an earlier
   * attempt whose answer was lost.
   */
  async #publish(packId: number): Promise<void> {
    if (this.#removed.has(packId)) return;
    this.#staged.set(packId, 'sealed');
    const bytes = await readFile(this.#stagedPath(packId));
    const md5 = createHash('md5').update(bytes).digest('hex');
    const key = this.#key(packId);
    try {
      this.#counts.put++;
      await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, IfNoneMatch: '*' }));
    } catch (error) {
      if (httpStatus(error) !== 412) throw s3Failure(error, `upload of pack ${packId}`, { packId });
      const existing = await this.#head(packId);
      if (existing.size !== bytes.byteLength || existing.etag !== md5) {
        throw new StrataError('AlreadyExists', `another pack ${packId} is stored under ${key}: is a second store writing to this prefix?`, {
          cause: error,
          details: { packId, key },
        });
      }
    }
    const uploaded = await this.#head(packId);
    if (uploaded.size !== bytes.byteLength) {
      throw new StrataError('Unavailable', `pack ${packId} stored as ${uploaded.size} bytes, not ${bytes.byteLength}`, { details: { packId } });
    }
    this.#sizes.set(packId, bytes.byteLength);
    this.#staged.set(packId, 'published');
    await this.#pruneCopies();
  }

  async #head(packId: number): Promise<{ size: number; etag: string }> {
    this.#counts.head++;
    const head = await this.#send(`pack ${packId}`, () => this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(packId) })), packId);
    return { size: head.ContentLength ?? -1, etag: (head.ETag ?? '').replaceAll('"', '') };
  }

  // Local copies of uploaded packs beyond the newest few go; their reads move to the object.
  async #pruneCopies(): Promise<void> {
    const published = [...this.#staged].filter(([, state]) => state === 'published').map(([packId]) => packId);
    published.sort((a, b) => a - b);
    for (const packId of published.slice(0, Math.max(0, published.length - KEEP_PUBLISHED_COPIES))) {
      this.#staged.delete(packId);
      await rm(this.#stagedPath(packId), { force: true });
    }
  }

  async remove(packId: number): Promise<void> {
    this.#removed.add(packId);
    const wasStaged = this.#staged.delete(packId);
    if (wasStaged) await rm(this.#stagedPath(packId), { force: true });
    // Blocks go before the object: a crash between leaves no cached bytes of a pack that is gone.
    await this.#cache.evict(packId);
    this.#counts.delete++;
    await this.#send(`pack ${packId}`, () => this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(packId) })));
    this.#sizes.delete(packId);
  }

  async totalBytes(): Promise<number> {
    let total = 0;
    for (const packId of await this.list()) {
      try {
        total += await this.size(packId);
      } catch (error) {
        // Removed by compaction since the listing.
        if (!isDataLoss(error)) throw error;
      }
    }
    return total;
  }

  async close(): Promise<void> {
    await this.#cache?.close();
    this.#client.destroy();
  }

  /** Runs one S3 call, turning its failure into a StrataError. */
  async #send<T>(what: string, call: () => Promise<T>, packId?: number, range?: { offset: number; length: number }): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (errorName(error) === 'NoSuchBucket') throw s3Failure(error, what);
      if (packId !== undefined && (httpStatus(error) === 404 || errorName(error) === 'NoSuchKey')) {
        throw new StrataError('DataLoss', `pack ${packId} is not in s3://${this.bucket}/${this.prefix}`, { cause: error, details: { packId } });
      }
      if (packId !== undefined && range && httpStatus(error) === 416) throw packTooShort(packId, range.offset, range.length, error);
      throw s3Failure(error, what, packId === undefined ? {} : { packId });
    }
  }
}

/**
 * The S3 client of a store: path-style addressing when an endpoint is given
 * (radosgw serves buckets by path); the region from the standard variables,
 * else us-east-1; credentials from the SDK's default provider chain.
 */
export function createS3Client(options: Pick<S3PackStoreOptions, 'endpoint' | 'region' | 'client'>): S3Client {
  return new S3Client({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_S3_REGION,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    ...options.client,
  });
}

/** The key of `name` under a store's prefix. */
export function objectKey(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

function packTooShort(packId: number, offset: number, length: number, cause?: unknown): StrataError {
  return new StrataError('DataLoss', `pack ${packId} ends before byte ${offset + length}`, { cause, details: { packId, offset, length } });
}

/**
 * An S3 failure as a StrataError: refused credentials and a missing bucket
 * are the operator's to fix; anything else (the network, a 5xx, a timeout)
 * is Unavailable, to be retried.
 */
export function s3Failure(error: unknown, what: string, details: Record<string, unknown> = {}): StrataError {
  if (error instanceof StrataError) return error;
  const status = httpStatus(error);
  const name = errorName(error);
  if (name === 'NoSuchBucket') return new StrataError('FailedPrecondition', `${what}: the bucket does not exist`, { cause: error, details });
  if (status === 403 || name === 'CredentialsProviderError') {
    return new StrataError('PermissionDenied', `${what}: S3 refused the credentials`, { cause: error, details });
  }
  return new StrataError('Unavailable', `${what}: S3 failed (${name ?? 'error'}${status === undefined ? '' : ` ${status}`})`, { cause: error, details });
}

/** Lists the ids of staged pack files in a directory (for tests and tools). */
export async function stagedPackIds(dir: string): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.flatMap((name) => /^(\d{8})\.pack$/.exec(name)?.[1] ?? []).map(Number).sort((a, b) => a - b);
}
