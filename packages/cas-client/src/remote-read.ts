import { Readable } from 'node:stream';
import type { ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { BlobRead } from '@strata/cas';
import { StrataError } from '@strata/errors';
import { fromGrpcError } from '@strata/proto';
import type { ReadResponse__Output } from '@strata/proto';

/**
 * Turns a Read call into a BlobRead once the server's headers say the blob
 * exists and the range is valid. The body pauses the call whenever its
 * consumer falls behind, so HTTP/2 flow control holds the server back.
 */
export function openRead(call: ClientReadableStream<ReadResponse__Output>, signal?: AbortSignal): Promise<BlobRead> {
  return new Promise((resolve, reject) => {
    let opened = false;
    const body = new Readable({
      // Messages are up to a few MiB; buffer about one of them.
      highWaterMark: 1,
      objectMode: false,
      read() {
        call.resume();
      },
      destroy(error, callback) {
        signal?.removeEventListener('abort', onAbort);
        call.cancel();
        callback(error);
      },
    });
    const onAbort = (): void => {
      const cancelled = new StrataError('Cancelled', 'read cancelled');
      call.cancel();
      if (opened) body.destroy(cancelled);
      else reject(cancelled);
    };
    call.on('metadata', (headers: Metadata) => {
      const length = headerNumber(headers, 'strata-read-length');
      if (length === undefined) return;
      opened = true;
      resolve({
        stat: {
          digest: String(headers.get('strata-blob-digest')[0] ?? ''),
          size: headerNumber(headers, 'strata-blob-size') ?? 0,
          createdAt: new Date(headerNumber(headers, 'strata-blob-created-ms') ?? 0),
        },
        offset: headerNumber(headers, 'strata-read-offset') ?? 0,
        length,
        body,
      });
    });
    call.on('data', (message: ReadResponse__Output) => {
      if (!body.push(message.data)) call.pause();
    });
    call.on('end', () => {
      signal?.removeEventListener('abort', onAbort);
      body.push(null);
    });
    call.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      const failure = signal?.aborted ? new StrataError('Cancelled', 'read cancelled') : fromGrpcError(error);
      if (opened) body.destroy(failure);
      else reject(failure);
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headerNumber(headers: Metadata, key: string): number | undefined {
  const value = headers.get(key)[0];
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : undefined;
}
