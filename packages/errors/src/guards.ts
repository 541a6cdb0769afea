import type { ErrorCode } from './codes.ts';
import { errorCode } from './strata-error.ts';

function guard(code: ErrorCode): (error: unknown) => boolean {
  return (error) => errorCode(error) === code;
}

export const isNotFound = guard('NotFound');
export const isAlreadyExists = guard('AlreadyExists');
export const isInvalidArgument = guard('InvalidArgument');
export const isFailedPrecondition = guard('FailedPrecondition');
export const isDigestMismatch = guard('DigestMismatch');
export const isSizeMismatch = guard('SizeMismatch');
export const isOutOfRange = guard('OutOfRange');
export const isUnavailable = guard('Unavailable');
export const isAborted = guard('Aborted');
export const isCancelled = guard('Cancelled');
export const isDeadlineExceeded = guard('DeadlineExceeded');
export const isResourceExhausted = guard('ResourceExhausted');
export const isPermissionDenied = guard('PermissionDenied');
export const isUnauthenticated = guard('Unauthenticated');
export const isUnimplemented = guard('Unimplemented');
export const isDataLoss = guard('DataLoss');
export const isInternal = guard('Internal');
