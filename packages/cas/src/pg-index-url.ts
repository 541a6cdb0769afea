import { checkSchemaName, parsePostgresUrl } from '@strata/postgres';
import { DEFAULT_INDEX_SCHEMA } from './pg-index-schema.ts';

/** The URL with its password masked, for logs and messages. */
export { redactPostgresUrl as redactIndexUrl } from '@strata/postgres';
/** The same URL naming another schema: the registry's engine keeps its tables beside the gateway's, not among them. */
export { withSchemaParameter as withIndexSchema } from '@strata/postgres';

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
  const { url, schema } = parsePostgresUrl(text, 'index');
  return { url, schema: checkSchemaName(schema ?? DEFAULT_INDEX_SCHEMA) };
}
