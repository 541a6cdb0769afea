import { type ErrorCode, isErrorCode } from './codes.ts';

export interface StrataErrorOptions {
  cause?: unknown;
  /** Machine-readable facts about the failure (digest, offset, blobs affected...). */
  details?: Record<string, unknown>;
}

/**
 * The one error class strata components throw across a package boundary.
 * Callers branch on `code` (through the guards), never on `message`.
 */
export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** The code of any thrown value; errors that are not StrataErrors are `Internal`. */
export function errorCode(error: unknown): ErrorCode {
  if (error instanceof StrataError) return error.code;
  if (isAbortError(error)) return 'Cancelled';
  if (typeof error === 'object' && error !== null && 'code' in error && isErrorCode(error.code)) {
    return error.code;
  }
  return 'Internal';
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}

/** Wraps any thrown value as a StrataError, keeping StrataErrors as they are. */
export function toStrataError(error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError(errorCode(error), message, { cause: error });
}
