import { StrataError } from '@strata/errors';
import { checkIndexSchemaName, DEFAULT_INDEX_SCHEMA } from './pg-index-schema.ts';

/** Where an engine index in PostgreSQL is: a connection URL and the schema holding its tables. */
export interface PgIndexLocation {
  /** What `pg` connects with; strata's own parameters removed. */
  url: string;
  schema: string;
}

/**
 * Reads `postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]`; the schema
 * is `strata_cas` unless named. InvalidArgument for anything else; the
 * message never shows the password.
 */
export function parseIndexUrl(text: string): PgIndexLocation {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch (error) {
    throw new StrataError('InvalidArgument', `index ${redactIndexUrl(text)} is not a URL; expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, { cause: error });
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new StrataError('InvalidArgument', `index ${redactIndexUrl(text)} is not a postgresql:// URL`, { details: { protocol: parsed.protocol } });
  }
  const schema = checkIndexSchemaName(parsed.searchParams.get('schema') ?? DEFAULT_INDEX_SCHEMA);
  // `pg` hands unknown URL parameters to the server as settings: the schema is strata's.
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

/** The URL with its password masked, for logs and messages. */
export function redactIndexUrl(text: string): string {
  try {
    const parsed = new URL(text);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return text.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** The same URL naming another schema: the registry's engine keeps its tables beside the gateway's, not among them. */
export function withIndexSchema(text: string, schema: string): string {
  const parsed = new URL(text);
  parsed.searchParams.set('schema', checkIndexSchemaName(schema));
  return parsed.toString();
}
