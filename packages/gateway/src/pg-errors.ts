import { StrataError } from '@strata/errors';

/**
 * SQLSTATE classes that mean "the database cannot answer now" rather than
 * "this request is wrong": connection exceptions (08), operator
 * intervention such as a shutdown (57), insufficient resources (53), and
 * serialization or deadlock failures (40), which a retry may get past.
 */
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '57']);

/** Node socket errors of a database that went away or never answered. */
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A PostgreSQL or socket failure as a StrataError. The message names the
 * operation and the server's own text, which never holds the password.
 */
export function pgError(operation: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  const details: Record<string, unknown> = { operation };
  if (typeof code === 'string') details.sqlState = code;
  const unavailable =
    typeof code === 'string' ? UNAVAILABLE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_SOCKET_CODES.has(code) : /terminat|timeout|Connection|closed/i.test(text);
  return new StrataError(unavailable ? 'Unavailable' : 'Internal', `gateway metadata in PostgreSQL: ${operation} failed: ${text}`, { cause: error, details });
}
