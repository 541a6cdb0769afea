/**
 * The registry's error codes: every code the gateway answers with is
 * registered here once, with its message and HTTP status, and every error
 * body is built here in the OCI envelope `{"errors":[{code,message,detail}]}`.
 * Handlers throw `RegistryError`s; failures from the store (StrataErrors)
 * become registry errors in `registryErrorFrom`, the one place that maps them.
 */
import { type ErrorCode, errorCode } from '@strata/errors';

interface CodeEntry {
  message: string;
  status: number;
}

export const ERROR_REGISTRY = {
  BLOB_UNKNOWN: { message: 'blob unknown to registry', status: 404 },
  BLOB_UPLOAD_INVALID: { message: 'blob upload invalid', status: 400 },
  BLOB_UPLOAD_UNKNOWN: { message: 'blob upload unknown to registry', status: 404 },
  DIGEST_INVALID: { message: 'provided digest did not match uploaded content', status: 400 },
  MANIFEST_BLOB_UNKNOWN: { message: 'manifest references a manifest or blob unknown to registry', status: 400 },
  MANIFEST_INVALID: { message: 'manifest invalid', status: 400 },
  MANIFEST_UNKNOWN: { message: 'manifest unknown to registry', status: 404 },
  NAME_INVALID: { message: 'invalid repository name', status: 400 },
  NAME_UNKNOWN: { message: 'repository name not known to registry', status: 404 },
  SIZE_INVALID: { message: 'provided length did not match content length', status: 400 },
  UNAUTHORIZED: { message: 'authentication required', status: 401 },
  DENIED: { message: 'requested access to the resource is denied', status: 403 },
  UNSUPPORTED: { message: 'the operation is unsupported', status: 405 },
  TOOMANYREQUESTS: { message: 'too many requests', status: 429 },
  RANGE_INVALID: { message: 'requested range not satisfiable', status: 416 },
  UNAVAILABLE: { message: 'service unavailable', status: 503 },
  UNKNOWN: { message: 'unknown error', status: 500 },
} as const satisfies Record<string, CodeEntry>;

export type OciErrorCode = keyof typeof ERROR_REGISTRY;

export interface RegistryErrorOptions {
  /** A message more telling than the code's own (which quota a push exceeded). */
  message?: string;
  /** Structured detail for the client (the digest, the range...). */
  detail?: unknown;
  /** A status other than the code's own, where the spec asks for one (413 for an oversized manifest). */
  status?: number;
  /** Headers the answer carries (Range and Location on a 416 of an upload). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** A failure answered to the client with a registered code. */
export class RegistryError extends Error {
  readonly code: OciErrorCode;
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Record<string, string>;

  constructor(code: OciErrorCode, options: RegistryErrorOptions = {}) {
    super(options.message ?? ERROR_REGISTRY[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status ?? ERROR_REGISTRY[code].status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  /** The OCI error envelope. */
  body(): string {
    const entry: Record<string, unknown> = { code: this.code, message: this.message };
    entry.detail = this.detail ?? null;
    return JSON.stringify({ errors: [entry] });
  }
}

/** How each StrataError code is answered; NotFound depends on what was looked for. */
const STORE_CODE_MAP: Record<Exclude<ErrorCode, 'NotFound'>, OciErrorCode> = {
  AlreadyExists: 'UNKNOWN',
  InvalidArgument: 'DIGEST_INVALID',
  FailedPrecondition: 'UNKNOWN',
  DigestMismatch: 'DIGEST_INVALID',
  SizeMismatch: 'SIZE_INVALID',
  OutOfRange: 'RANGE_INVALID',
  Unavailable: 'UNAVAILABLE',
  Aborted: 'UNAVAILABLE',
  Cancelled: 'UNKNOWN',
  DeadlineExceeded: 'UNAVAILABLE',
  ResourceExhausted: 'TOOMANYREQUESTS',
  PermissionDenied: 'DENIED',
  Unauthenticated: 'UNAUTHORIZED',
  Unimplemented: 'UNSUPPORTED',
  DataLoss: 'UNKNOWN',
  Internal: 'UNKNOWN',
};

/**
 * Any thrown value as a RegistryError. `notFound` names the code a NotFound
 * from the store means where it was raised (a blob, a manifest, an upload).
 */
export function registryErrorFrom(error: unknown, notFound: OciErrorCode = 'BLOB_UNKNOWN'): RegistryError {
  if (error instanceof RegistryError) return error;
  const code = errorCode(error);
  const oci = code === 'NotFound' ? notFound : STORE_CODE_MAP[code];
  const headers: Record<string, string> = {};
  if (oci === 'UNAVAILABLE' || oci === 'TOOMANYREQUESTS') headers['retry-after'] = '1';
  return new RegistryError(oci, { cause: error, headers });
}
