import type { StrataError } from '@strata/errors';
import { postgresError } from '@strata/postgres';

/** What the messages of the registry metadata's PostgreSQL failures begin with. */
export const PG_METADATA_SUBJECT = 'gateway metadata in PostgreSQL';

/**
 * A PostgreSQL or socket failure of the registry metadata as a StrataError
 * (Unavailable when the database cannot answer now). The message names the
 * operation and the server's own text, which never holds the password.
 */
export function pgError(operation: string, error: unknown): StrataError {
  return postgresError(PG_METADATA_SUBJECT, operation, error);
}
