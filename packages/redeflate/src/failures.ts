import { StrataError } from '@strata/errors';

/** The compressed input is not a valid stream of the format named. */
export function malformed(message: string, details: Record<string, unknown> = {}): StrataError {
  return new StrataError('InvalidArgument', message, { details });
}

/** Stored corrections do not fit the plaintext they are applied to (or are damaged). */
export function damaged(message: string, details: Record<string, unknown> = {}): StrataError {
  return new StrataError('DataLoss', message, { details });
}
