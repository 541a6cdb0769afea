import { StrataError } from '@strata/errors';
import { checkSchemaName } from './schema-name.ts';

/** A connection URL split into what `pg` connects with and the schema strata was told to use. */
export interface PostgresUrl {
  /** The URL without strata's own parameters. */
  url: string;
  /** The `schema` query parameter, when there was one (not yet checked). */
  schema: string | undefined;
}

/**
 * Reads `postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]` (or
 * `postgres://`). `role` names the setting in messages ("index",
 * "metadata"). InvalidArgument for anything else; the message never shows
 * the password.
 */
export function parsePostgresUrl(text: string, role: string): PostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch (error) {
    throw new StrataError('InvalidArgument', `${role} ${redactPostgresUrl(text)} is not a URL; expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, { cause: error });
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new StrataError('InvalidArgument', `${role} ${redactPostgresUrl(text)} is not a postgresql:// URL`, { details: { protocol: parsed.protocol } });
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  // `pg` hands unknown URL parameters to the server as settings at connection start: the schema is strata's.
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

/** The URL with its password masked, fit for logs and error messages. */
export function redactPostgresUrl(text: string): string {
  try {
    const parsed = new URL(text);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: hide anything between "://user:" and "@", the usual place of a password.
    return text.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** The same URL naming another schema (checked). */
export function withSchemaParameter(text: string, schema: string): string {
  const parsed = new URL(text);
  parsed.searchParams.set('schema', checkSchemaName(schema));
  return parsed.toString();
}
