/**
 * The one mapping between strata's error codes and gRPC status codes, used
 * by the server (StrataError → status) and the client (status → StrataError)
 * alike, so that a remote store fails exactly as the in-process one does.
 *
 * The status code alone loses two things: DigestMismatch and SizeMismatch
 * are both FAILED_PRECONDITION on the wire, and details (heldForMs,
 * missing, ...) have no place in a status. So every error also carries the
 * exact code in the `strata-error-code` trailer and its details as JSON in
 * `strata-error-details-bin`. Errors that come from the transport itself
 * (no trailer) are mapped from the status code alone.
 */
import { Metadata, status as Status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { type ErrorCode, isErrorCode, StrataError, toStrataError } from '@strata/errors';

export const ERROR_CODE_KEY = 'strata-error-code';
export const ERROR_DETAILS_KEY = 'strata-error-details-bin';

const TO_GRPC: Readonly<Record<ErrorCode, Status>> = {
  NotFound: Status.NOT_FOUND,
  AlreadyExists: Status.ALREADY_EXISTS,
  InvalidArgument: Status.INVALID_ARGUMENT,
  FailedPrecondition: Status.FAILED_PRECONDITION,
  DigestMismatch: Status.FAILED_PRECONDITION,
  SizeMismatch: Status.FAILED_PRECONDITION,
  OutOfRange: Status.OUT_OF_RANGE,
  Unavailable: Status.UNAVAILABLE,
  Aborted: Status.ABORTED,
  Cancelled: Status.CANCELLED,
  DeadlineExceeded: Status.DEADLINE_EXCEEDED,
  ResourceExhausted: Status.RESOURCE_EXHAUSTED,
  PermissionDenied: Status.PERMISSION_DENIED,
  Unauthenticated: Status.UNAUTHENTICATED,
  Unimplemented: Status.UNIMPLEMENTED,
  DataLoss: Status.DATA_LOSS,
  Internal: Status.INTERNAL,
};

const FROM_GRPC: ReadonlyMap<Status, ErrorCode> = new Map([
  [Status.CANCELLED, 'Cancelled'],
  [Status.UNKNOWN, 'Internal'],
  [Status.INVALID_ARGUMENT, 'InvalidArgument'],
  [Status.DEADLINE_EXCEEDED, 'DeadlineExceeded'],
  [Status.NOT_FOUND, 'NotFound'],
  [Status.ALREADY_EXISTS, 'AlreadyExists'],
  [Status.PERMISSION_DENIED, 'PermissionDenied'],
  [Status.RESOURCE_EXHAUSTED, 'ResourceExhausted'],
  [Status.FAILED_PRECONDITION, 'FailedPrecondition'],
  [Status.ABORTED, 'Aborted'],
  [Status.OUT_OF_RANGE, 'OutOfRange'],
  [Status.UNIMPLEMENTED, 'Unimplemented'],
  [Status.INTERNAL, 'Internal'],
  [Status.UNAVAILABLE, 'Unavailable'],
  [Status.DATA_LOSS, 'DataLoss'],
  [Status.UNAUTHENTICATED, 'Unauthenticated'],
] as const);

/** The gRPC status a strata error code travels as. */
export function grpcStatusOf(code: ErrorCode): Status {
  return TO_GRPC[code];
}

/** The strata error code a bare gRPC status (no trailer) stands for. */
export function errorCodeOfStatus(code: Status): ErrorCode {
  return FROM_GRPC.get(code) ?? 'Internal';
}

/** Any thrown value as the status object a server call ends with. */
export function toGrpcStatus(error: unknown): Partial<StatusObject> & { code: Status } {
  const strata = toStrataError(error);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, strata.code);
  if (Object.keys(strata.details).length > 0) {
    try {
      metadata.set(ERROR_DETAILS_KEY, Buffer.from(JSON.stringify(strata.details)));
    } catch {
      // Details that do not serialize stay on the server's side.
    }
  }
  return { code: grpcStatusOf(strata.code), details: strata.message, metadata };
}

/** A failed call's error as the StrataError the server threw (or the transport's failure). */
export function fromGrpcError(error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  if (!isServiceError(error)) return toStrataError(error);
  const metadata = error.metadata;
  const sent = metadata?.get(ERROR_CODE_KEY)[0];
  const code = typeof sent === 'string' && isErrorCode(sent) ? sent : errorCodeOfStatus(error.code);
  let details: Record<string, unknown> = {};
  const detailsValue = metadata?.get(ERROR_DETAILS_KEY)[0];
  if (detailsValue !== undefined) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(detailsValue).toString('utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
    } catch {
      // Unreadable details leave the code intact.
    }
  }
  return new StrataError(code, error.details || error.message, { cause: error, details });
}

function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === 'number' &&
    'metadata' in error
  );
}
