import type { Metadata, ServerWritableStream, StatusObject } from '@grpc/grpc-js';
import { toGrpcStatus } from '@strata/proto';
import { StrataError } from '@strata/errors';

/** Something a server call can be: its 'cancelled' event fires when the client goes away. */
interface CancellableCall {
  cancelled: boolean;
  on(event: 'cancelled', listener: () => void): unknown;
  off(event: 'cancelled', listener: () => void): unknown;
}

/** An AbortSignal that aborts when the client cancels the call or its connection is lost. */
export function callSignal(call: CancellableCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort(new StrataError('Cancelled', 'call cancelled by the client'));
  else call.on('cancelled', () => controller.abort(new StrataError('Cancelled', 'call cancelled by the client')));
  return controller.signal;
}

/**
 * Writes one message and, when the stream's buffer is full, waits until the
 * client has taken enough: a slow reader holds the server back instead of
 * making it buffer the blob.
 */
export async function writeWithBackpressure<T>(
  call: ServerWritableStream<unknown, T> | { write(message: T): boolean; once(event: 'drain', listener: () => void): unknown; off(event: 'drain', listener: () => void): unknown },
  message: T,
  signal: AbortSignal,
): Promise<void> {
  if ((call as { write(message: T): boolean }).write(message)) return;
  signal.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      call.off('drain', onDrain);
      reject(signal.reason);
    };
    const onDrain = (): void => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    call.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Ends a streaming call with the status an error maps to. */
export function failCall(call: { emit(event: 'error', status: Partial<StatusObject>): unknown; cancelled: boolean }, error: unknown): void {
  if (call.cancelled) return;
  call.emit('error', toGrpcStatus(error));
}

export type { Metadata };
