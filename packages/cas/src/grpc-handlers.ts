import {
  Metadata,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { StrataError } from '@strata/errors';
import { toGrpcStatus } from '@strata/proto';
import type { CollectGarbageRequest__Output, ContentStoreHandlers, IngestStatus as WireIngestStatus, Lease, BlobStat as WireBlobStat, PutChunksRequest__Output } from '@strata/proto';
import type { BlobStat, GcOptions, IngestStatus, LeaseInfo } from './content-store.ts';
import type { Engine } from './engine.ts';
import { callSignal, failCall, writeWithBackpressure } from './grpc-streams.ts';
import { serveWrite } from './grpc-write.ts';

/** Target size of a Read message. */
const READ_MESSAGE_BYTES = 1024 * 1024;

/** Blobs per List message: small messages, few of them. */
const LIST_BATCH = 256;

/** Tracks handlers still running, so shutdown can wait for their cleanup. */
export interface InFlight {
  track(work: Promise<unknown>): void;
}

function unary<Req, Res>(inFlight: InFlight, handle: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    inFlight.track(
      handle(call.request, call).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error)),
      ),
    );
  };
}

function serverStream<Req, Res>(inFlight: InFlight, handle: (call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>) {
  return (call: ServerWritableStream<Req, Res>): void => {
    const signal = callSignal(call);
    inFlight.track(
      handle(call, signal).then(
        () => {
          if (!call.cancelled) call.end();
        },
        (error: unknown) => failCall(call, error),
      ),
    );
  };
}

/** The ContentStore service's handlers over an engine. */
export function contentStoreHandlers(engine: Engine, inFlight: InFlight): ContentStoreHandlers {
  return {
    FindMissingBlobs: unary(inFlight, async (request) => ({ missing: await engine.findMissing(request.digests) })),
    Stat: unary(inFlight, async (request) => ({ stat: wireStat(await engine.stat(request.digest)) })),
    Read: serverStream(inFlight, async (call, signal) => {
      const { digest, offset } = call.request;
      const length = call.request.length ?? undefined;
      const read = await engine.read(digest, { offset, length, signal });
      const headers = new Metadata();
      headers.set('strata-blob-digest', read.stat.digest);
      headers.set('strata-blob-size', String(read.stat.size));
      headers.set('strata-blob-created-ms', String(read.stat.createdAt.getTime()));
      headers.set('strata-read-offset', String(read.offset));
      headers.set('strata-read-length', String(read.length));
      call.sendMetadata(headers);
      let position = read.offset;
      // Chunk-sized pieces are coalesced into messages of about READ_MESSAGE_BYTES:
      // per-message costs, not bytes, dominate a stream of small messages.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        pending = [];
        await writeWithBackpressure(call, { offset: position, data }, signal);
        position += pendingBytes;
        pendingBytes = 0;
      };
      try {
        for await (const piece of read.body as AsyncIterable<Buffer>) {
          pending.push(piece);
          pendingBytes += piece.byteLength;
          if (pendingBytes >= READ_MESSAGE_BYTES) await flush();
        }
        if (pendingBytes > 0) await flush();
      } finally {
        read.body.destroy();
      }
    }),
    Write: (call) => inFlight.track(serveWrite(engine, call)),
    Status: unary(inFlight, async (request) => ({ status: wireIngestStatus(await engine.status(request.ref)) })),
    ListStatuses: unary(inFlight, async () => ({ statuses: (await engine.listIngests()).map(wireIngestStatus) })),
    Abort: unary(inFlight, async (request) => {
      await engine.abortIngest(request.ref);
      return {};
    }),
    Delete: unary(inFlight, async (request) => {
      await engine.delete(request.digest);
      return {};
    }),
    List: serverStream(inFlight, async (call, signal) => {
      let batch: WireBlobStat[] = [];
      for await (const stat of engine.list({ signal })) {
        batch.push(wireStat(stat));
        if (batch.length === LIST_BATCH) {
          await writeWithBackpressure(call, { blobs: batch }, signal);
          batch = [];
        }
      }
      if (batch.length > 0) await writeWithBackpressure(call, { blobs: batch }, signal);
    }),
    CreateLease: unary(inFlight, async (request) => {
      const lease = await engine.createLease({
        ...(request.id === '' ? {} : { id: request.id }),
        ...(request.ttlMs === undefined || request.ttlMs === null ? {} : { ttlMs: request.ttlMs }),
        labels: request.labels,
      });
      return { lease: wireLease(lease) };
    }),
    ReleaseLease: unary(inFlight, async (request) => {
      await engine.releaseLease(request.id);
      return {};
    }),
    ListLeases: unary(inFlight, async () => ({ leases: (await engine.listLeases()).map(wireLease) })),
    GetChunking: unary(inFlight, async () => engine.chunking()),
    GetRecipe: unary(inFlight, async (request) => engine.getRecipe(request.digest)),
    FindMissingChunks: unary(inFlight, async (request) => ({ missing: await engine.findMissingChunks(request.digests) })),
    PutChunks: (call: ServerReadableStream<PutChunksRequest__Output, { digests: string[] }>, callback) => {
      inFlight.track(
        putChunks(engine, call).then(
          (digests) => callback(null, { digests }),
          (error: unknown) => callback(toGrpcStatus(error)),
        ),
      );
    },
    ReadChunks: serverStream(inFlight, async (call, signal) => {
      // Compressed chunks go out as stored: no decompression here, and fewer bytes on the wire.
      const chunks = call.request.acceptZstd ? engine.readStoredChunks(call.request.digests, { signal }) : engine.readChunks(call.request.digests, { signal });
      for await (const chunk of chunks) {
        await writeWithBackpressure(call, chunk, signal);
      }
    }),
    CommitRecipe: unary(inFlight, async (request) =>
      engine.commitRecipe({ digest: request.digest, size: request.size }, request.chunks, request.lease === '' ? {} : { lease: request.lease }),
    ),
    Stats: unary(inFlight, async () => engine.stats()),
    Fsck: unary(inFlight, async (_request, call) => engine.fsck({ signal: callSignal(call) })),
    CollectGarbage: unary(inFlight, async (request: CollectGarbageRequest__Output, call) => {
      const options: GcOptions = { dryRun: request.dryRun, signal: callSignal(call) };
      if (request.minLiveFraction !== undefined) options.minLiveFraction = request.minLiveFraction;
      return engine.collectGarbage(options);
    }),
  };
}

async function putChunks(engine: Engine, call: ServerReadableStream<PutChunksRequest__Output, unknown>): Promise<string[]> {
  const onCancelled = (): void => {
    call.destroy();
  };
  call.on('cancelled', onCancelled);
  try {
    const digests: string[] = [];
    let lease: string | undefined;
    let first = true;
    for await (const request of call.iterator({ destroyOnReturn: false }) as AsyncIterable<PutChunksRequest__Output>) {
      if (first && request.lease !== '') lease = request.lease;
      first = false;
      const chunks = request.chunks.map((chunk) => (chunk.digest === '' ? { data: chunk.data } : { digest: chunk.digest, data: chunk.data }));
      digests.push(...(await engine.putChunks(chunks, lease === undefined ? {} : { lease })));
    }
    if (call.cancelled) throw new StrataError('Cancelled', 'PutChunks cancelled by the client');
    return digests;
  } finally {
    call.off('cancelled', onCancelled);
  }
}

function wireStat(stat: BlobStat): WireBlobStat {
  return { digest: stat.digest, size: stat.size, createdAtMs: stat.createdAt.getTime() };
}

function wireIngestStatus(status: IngestStatus): WireIngestStatus {
  return {
    ref: status.ref,
    offset: status.offset,
    ...(status.expected.size === undefined ? {} : { total: status.expected.size }),
    expectedDigest: status.expected.digest ?? '',
    startedAtMs: status.startedAt.getTime(),
    updatedAtMs: status.updatedAt.getTime(),
  };
}

function wireLease(lease: LeaseInfo): Lease {
  return { id: lease.id, createdAtMs: lease.createdAt.getTime(), expiresAtMs: lease.expiresAt.getTime(), labels: lease.labels };
}
