import { type CallOptions, type ClientReadableStream, Metadata, type ServiceError } from '@grpc/grpc-js';
import type {
  BlobRead,
  BlobRecipe,
  BlobStat,
  BlobWriter,
  ChunkData,
  ChunkingParams,
  ChunkTransfer,
  CommitResult,
  ContentStore,
  FsckOptions,
  FsckReport,
  GcOptions,
  GcReport,
  IngestStatus,
  LeaseInfo,
  LeaseManager,
  ReadOptions,
  StoreAdmin,
  StoreStats,
  WriterOptions,
} from '@strata/cas';
import { decodeZstdChunk } from '@strata/cas/codecs';
import { StrataError } from '@strata/errors';
import { fromGrpcError } from '@strata/proto';
import type { BlobStat__Output, CollectGarbageRequest, ContentStoreClient, GetRecipeResponse__Output, IngestStatus__Output, Lease__Output, PutChunksRequest, ReadChunksResponse__Output } from '@strata/proto';
import { openRead } from './remote-read.ts';
import { RemoteWriter } from './remote-writer.ts';
import { type RetryPolicy, withRetries } from './retry.ts';

export interface RemoteSettings {
  deadlineMs: number;
  retry: RetryPolicy;
  writePieceBytes: number;
}

/** Bytes of chunk data per PutChunks message. */
const PUT_BATCH_BYTES = 1024 * 1024;

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: Res) => void,
) => unknown;

/**
 * The ContentStore roles over gRPC. Failures are the StrataErrors the server
 * raised (same codes and details as the engine); transport failures are
 * Unavailable, and idempotent calls are retried on them with backoff.
 */
export class RemoteContentStore implements ContentStore, StoreAdmin, ChunkTransfer, LeaseManager {
  readonly #client: ContentStoreClient;
  readonly #settings: RemoteSettings;
  #closed = false;

  constructor(client: ContentStoreClient, settings: RemoteSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  #call<Req, Res>(
    method: keyof ContentStoreClient,
    request: Req,
    options: { idempotent: boolean; signal?: AbortSignal; deadlineMs?: number },
  ): Promise<Res> {
    const once = (): Promise<Res> =>
      new Promise<Res>((resolve, reject) => {
        if (this.#closed) throw new StrataError('Unavailable', 'the store client is closed');
        const deadline = new Date(Date.now() + (options.deadlineMs ?? this.#settings.deadlineMs));
        const invoke = this.#client[method] as unknown as UnaryMethod<Req, Res>;
        const call = invoke.call(this.#client, request, new Metadata(), { deadline }, (error, response) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (error) reject(options.signal?.aborted ? new StrataError('Cancelled', `${String(method)} cancelled`) : fromGrpcError(error));
          else resolve(response as Res);
        }) as { cancel(): void };
        const onAbort = (): void => call.cancel();
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    return options.idempotent ? withRetries(this.#settings.retry, once, options.signal) : once();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('Unavailable', 'the store client is closed');
  }

  async read(digest: string, options: ReadOptions = {}): Promise<BlobRead> {
    const offset = options.offset ?? 0;
    checkCount('offset', offset);
    if (options.length !== undefined) checkCount('length', options.length);
    return withRetries(
      this.#settings.retry,
      async () => {
        this.#checkOpen();
        const call = this.#client.Read({ digest, offset, ...(options.length === undefined ? {} : { length: options.length }) });
        return openRead(call, options.signal);
      },
      options.signal,
    );
  }

  async stat(digest: string): Promise<BlobStat> {
    const response = await this.#call<unknown, { stat: BlobStat__Output | null }>('Stat', { digest }, { idempotent: true });
    return blobStat(response.stat!);
  }

  async findMissing(digests: readonly string[]): Promise<string[]> {
    const response = await this.#call<unknown, { missing: string[] }>('FindMissingBlobs', { digests }, { idempotent: true });
    return response.missing;
  }

  async writer(ref: string, options: WriterOptions = {}): Promise<BlobWriter> {
    if (typeof ref !== 'string' || ref.length === 0 || ref.length > 512) {
      throw new StrataError('InvalidArgument', 'a write ref is a non-empty string of at most 512 characters');
    }
    return withRetries(this.#settings.retry, async () => {
      this.#checkOpen();
      return RemoteWriter.open(this.#client.Write(), ref, {
        ...(options.expected ? { expected: options.expected } : {}),
        ...(options.lease === undefined ? {} : { lease: options.lease }),
        pieceBytes: this.#settings.writePieceBytes,
        abortRemote: (aborted) => this.abortIngest(aborted),
      });
    });
  }

  async status(ref: string): Promise<IngestStatus> {
    const response = await this.#call<unknown, { status: IngestStatus__Output | null }>('Status', { ref }, { idempotent: true });
    return ingestStatus(response.status!);
  }

  async listIngests(): Promise<IngestStatus[]> {
    const response = await this.#call<unknown, { statuses: IngestStatus__Output[] }>('ListStatuses', {}, { idempotent: true });
    return response.statuses.map(ingestStatus);
  }

  async abortIngest(ref: string): Promise<void> {
    await this.#call('Abort', { ref }, { idempotent: true });
  }

  async delete(digest: string): Promise<void> {
    await this.#call('Delete', { digest }, { idempotent: false });
  }

  async *list(options: { signal?: AbortSignal } = {}): AsyncIterable<BlobStat> {
    this.#checkOpen();
    for await (const message of this.#stream<{ blobs: BlobStat__Output[] }>(this.#client.List({}), options.signal)) {
      yield* message.blobs.map(blobStat);
    }
  }

  /** A server stream's messages, with its failure as a StrataError and cancellation by `signal`. */
  async *#stream<T>(call: ClientReadableStream<T>, signal?: AbortSignal): AsyncGenerator<T> {
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const message of call as AsyncIterable<T>) yield message;
    } catch (error) {
      if (signal?.aborted) throw new StrataError('Cancelled', 'stream cancelled');
      throw fromGrpcError(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  async stats(): Promise<StoreStats> {
    return this.#call<unknown, StoreStats>('Stats', {}, { idempotent: true });
  }

  async fsck(options: FsckOptions = {}): Promise<FsckReport> {
    // Verifying a large store takes long: no deadline, cancellation through the signal.
    const report = await this.#call<unknown, FsckReport>('Fsck', {}, {
      idempotent: true,
      deadlineMs: 7 * 24 * 60 * 60 * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { ...report, damage: report.damage.map((damage) => ({ ...damage })) };
  }

  async collectGarbage(options: GcOptions = {}): Promise<GcReport> {
    const request: CollectGarbageRequest = { dryRun: options.dryRun === true };
    if (options.minLiveFraction !== undefined) request.minLiveFraction = options.minLiveFraction;
    // A collection runs as long as the store is large; not retried, since it may have begun.
    return this.#call<CollectGarbageRequest, GcReport>('CollectGarbage', request, {
      idempotent: false,
      deadlineMs: 7 * 24 * 60 * 60 * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async chunking(): Promise<ChunkingParams> {
    return this.#call<unknown, ChunkingParams>('GetChunking', {}, { idempotent: true });
  }

  async getRecipe(digest: string): Promise<BlobRecipe> {
    const { expanded, ...recipe } = await this.#call<unknown, GetRecipeResponse__Output>('GetRecipe', { digest }, { idempotent: true });
    if (!expanded) return recipe;
    // The codec is checked where the layer is rebuilt (rebuildExpandedBlob).
    return { ...recipe, expanded: { ...expanded, codec: expanded.codec as 'gzip' | 'zstd' } };
  }

  async findMissingChunks(digests: readonly string[]): Promise<string[]> {
    const response = await this.#call<unknown, { missing: string[] }>('FindMissingChunks', { digests }, { idempotent: true });
    return response.missing;
  }

  async putChunks(chunks: readonly ChunkData[], options: { lease?: string } = {}): Promise<string[]> {
    // Content-addressed: sending the same chunks again is harmless.
    return withRetries(this.#settings.retry, () => this.#putChunksOnce(chunks, options.lease ?? ''));
  }

  #putChunksOnce(chunks: readonly ChunkData[], lease: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.#checkOpen();
      const call = this.#client.PutChunks((error, response) => {
        if (error) reject(fromGrpcError(error));
        else resolve(response!.digests);
      });
      const requests: PutChunksRequest[] = [];
      let batch: PutChunksRequest = { chunks: [], lease };
      let batchBytes = 0;
      for (const chunk of chunks) {
        if (batchBytes > 0 && batchBytes + chunk.data.byteLength > PUT_BATCH_BYTES) {
          requests.push(batch);
          batch = { chunks: [] };
          batchBytes = 0;
        }
        batch.chunks!.push({ digest: chunk.digest ?? '', data: Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength) });
        batchBytes += chunk.data.byteLength;
      }
      requests.push(batch);
      const send = (): void => {
        while (requests.length > 0) {
          if (!call.write(requests.shift()!)) {
            call.once('drain', send);
            return;
          }
        }
        call.end();
      };
      send();
    });
  }

  async *readChunks(digests: readonly string[], options: { signal?: AbortSignal } = {}): AsyncIterable<{ digest: string; data: Buffer }> {
    this.#checkOpen();
    // Compressed chunks arrive as the store keeps them, and are checked here as they are decompressed.
    const chunks = this.#stream<ReadChunksResponse__Output>(this.#client.ReadChunks({ digests: [...digests], acceptZstd: true }), options.signal);
    for await (const { digest, data, zstd, rawLength } of chunks) {
      yield { digest, data: zstd ? decodeZstdChunk(data, rawLength, digest) : data };
    }
  }

  async commitRecipe(
    expected: { digest: string; size: number },
    chunks: readonly { digest: string; length: number }[],
    options: { lease?: string } = {},
  ): Promise<CommitResult> {
    // Committing the same recipe twice is "already exists", a success: safe to retry.
    return this.#call<unknown, CommitResult>(
      'CommitRecipe',
      { digest: expected.digest, size: expected.size, chunks, lease: options.lease ?? '' },
      { idempotent: true },
    );
  }

  async createLease(options: { id?: string; ttlMs?: number; labels?: Record<string, string> } = {}): Promise<LeaseInfo> {
    if (options.ttlMs !== undefined && (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0)) {
      throw new StrataError('InvalidArgument', `invalid lease ttl ${options.ttlMs}`);
    }
    const response = await this.#call<unknown, { lease: Lease__Output | null }>(
      'CreateLease',
      { id: options.id ?? '', ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }), labels: options.labels ?? {} },
      { idempotent: false },
    );
    return leaseInfo(response.lease!);
  }

  async releaseLease(id: string): Promise<void> {
    await this.#call('ReleaseLease', { id }, { idempotent: false });
  }

  async listLeases(): Promise<LeaseInfo[]> {
    const response = await this.#call<unknown, { leases: Lease__Output[] }>('ListLeases', {}, { idempotent: true });
    return response.leases.map(leaseInfo);
  }
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new StrataError('InvalidArgument', `invalid ${name} ${value}`);
}

function blobStat(stat: BlobStat__Output): BlobStat {
  return { digest: stat.digest, size: stat.size, createdAt: new Date(stat.createdAtMs) };
}

function ingestStatus(status: IngestStatus__Output): IngestStatus {
  return {
    ref: status.ref,
    offset: status.offset,
    expected: {
      ...(status.total === undefined || status.total === null ? {} : { size: status.total }),
      ...(status.expectedDigest === '' ? {} : { digest: status.expectedDigest }),
    },
    startedAt: new Date(status.startedAtMs),
    updatedAt: new Date(status.updatedAtMs),
  };
}

function leaseInfo(lease: Lease__Output): LeaseInfo {
  return { id: lease.id, createdAt: new Date(lease.createdAtMs), expiresAt: new Date(lease.expiresAtMs), labels: { ...lease.labels } };
}
