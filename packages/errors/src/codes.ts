/**
 * The closed set of error codes every strata component speaks.
 *
 * The names follow gRPC's canonical codes so that the gRPC edge maps them one
 * to one; `DigestMismatch` and `SizeMismatch` are the two commit outcomes a
 * client must be able to tell apart from every other failed precondition
 * (they travel as FAILED_PRECONDITION plus a reason on the wire).
 */
export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'FailedPrecondition',
  'DigestMismatch',
  'SizeMismatch',
  'OutOfRange',
  'Unavailable',
  'Aborted',
  'Cancelled',
  'DeadlineExceeded',
  'ResourceExhausted',
  'PermissionDenied',
  'Unauthenticated',
  'Unimplemented',
  'DataLoss',
  'Internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
