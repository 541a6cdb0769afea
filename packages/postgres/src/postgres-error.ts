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
 * A PostgreSQL or socket failure as a StrataError: Unavailable when the
 * database could not answer, Internal otherwise; a StrataError passes
 * through as it is. The message reads `SUBJECT: OPERATION failed: TEXT`,
 * the server's own text, which never holds the password; the SQLSTATE is
 * in `details.sqlState`.
 */
export function postgresError(subject: string, operation: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? error.message : String(error);
  const details: Record<string, unknown> = { operation };
  if (typeof code === 'string') details.sqlState = code;
  // Errors of `pg` itself (a closed client, a timed-out connect) carry no code: their text tells.
  const unavailable =
    typeof code === 'string' ? UNAVAILABLE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_SOCKET_CODES.has(code) : /terminat|timeout|connection|closed/i.test(text);
  return new StrataError(unavailable ? 'Unavailable' : 'Internal', `${subject}: ${operation} failed: ${text}`, { cause: error, details });
}
