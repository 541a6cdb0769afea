import type { ServerDuplexStream } from '@grpc/grpc-js';
import { StrataError } from '@strata/errors';
import type { WriteRequest__Output, WriteResponse } from '@strata/proto';
import type { BlobWriter, Expected } from './content-store.ts';
import type { Engine } from './engine.ts';
import { failCall } from './grpc-streams.ts';

/**
 * Serves one Write stream (see cas.proto): the first request opens or
 * resumes the transaction, STAT answers its offset, WRITE appends, COMMIT
 * finishes it. A stream that ends any other way (half-close, cancellation,
 * lost connection, an error) closes the transaction instead of aborting it,
 * so the client can resume where the store stopped.
 */
export async function serveWrite(engine: Engine, call: ServerDuplexStream<WriteRequest__Output, WriteResponse>): Promise<void> {
  let writer: BlobWriter | undefined;
  let committed = false;
  // A lost connection does not always end the request stream: stop reading it.
  const onCancelled = (): void => {
    call.destroy();
  };
  call.on('cancelled', onCancelled);
  try {
    // Leaving the loop must not destroy the call: its status has yet to be sent.
    for await (const request of call.iterator({ destroyOnReturn: false }) as AsyncIterable<WriteRequest__Output>) {
      if (!writer) {
        writer = await engine.writer(request.ref, { expected: expectedOf(request), lease: request.lease || undefined });
      } else if (request.ref !== '' && request.ref !== writer.ref) {
        throw new StrataError('InvalidArgument', `a Write stream serves one ref (${writer.ref}), not ${request.ref}`);
      }

      switch (request.action) {
        case 'STAT':
          call.write(await statResponse(engine, writer.ref));
          break;
        case 'WRITE':
          await writer.write(request.data, request.offset);
          break;
        case 'COMMIT': {
          const result = await writer.commit(expectedOf(request));
          committed = true;
          call.write({ action: 'COMMIT', ref: writer.ref, offset: result.size, digest: result.digest, created: result.created });
          call.end();
          return;
        }
        default:
          throw new StrataError('InvalidArgument', `unknown write action ${String(request.action)}`);
      }
    }
    await writer?.close();
    if (!call.cancelled) call.end();
  } catch (error) {
    if (writer && !committed) await writer.close().catch(() => {});
    failCall(call, error);
  } finally {
    call.off('cancelled', onCancelled);
  }
}

function expectedOf(request: WriteRequest__Output): Expected {
  const expected: Expected = {};
  if (request.expectedDigest !== '') expected.digest = request.expectedDigest;
  if (request.total !== undefined && request.total !== null) expected.size = request.total;
  return expected;
}

async function statResponse(engine: Engine, ref: string): Promise<WriteResponse> {
  const status = await engine.status(ref);
  return {
    action: 'STAT',
    ref,
    offset: status.offset,
    ...(status.expected.size === undefined ? {} : { total: status.expected.size }),
    digest: status.expected.digest ?? '',
    startedAtMs: status.startedAt.getTime(),
    updatedAtMs: status.updatedAt.getTime(),
  };
}
