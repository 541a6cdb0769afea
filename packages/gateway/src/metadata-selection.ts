import { StrataError } from '@strata/errors';
import { LmdbMetadata } from './lmdb-metadata.ts';
import type { RegistryMetadata } from './metadata.ts';
import { PgMetadata, type PgMetadataOptions } from './pg-metadata.ts';

/**
 * Where a registry keeps its metadata: a `postgresql://` URL (a `schema`
 * query parameter names the PostgreSQL schema) or PostgreSQL options. The
 * embedded default, LMDB in the data directory, needs no setting.
 */
export type MetadataSetting = string | PgMetadataOptions;

/** The PostgreSQL options a `postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]` URL names. */
export function parseMetadataUrl(url: string): PgMetadataOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new StrataError('InvalidArgument', `metadata ${redactUrl(url)} is not a URL; expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE`, { cause: error });
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new StrataError('InvalidArgument', `metadata ${redactUrl(url)} is not a postgresql:// URL`, { details: { protocol: parsed.protocol } });
  }
  const schema = parsed.searchParams.get('schema');
  // `pg` would pass unknown parameters to the server at connection start: the schema is strata's.
  parsed.searchParams.delete('schema');
  return schema === null ? { url: parsed.toString() } : { url: parsed.toString(), schema };
}

/** The URL with its password replaced, fit for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL: hide anything between "://user:" and "@", the usual place of a password.
    return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** A redacted description of the setting for a log line. */
export function describeMetadata(setting: MetadataSetting | undefined, dir: string): string {
  if (setting === undefined) return `LMDB in ${dir}`;
  const options = typeof setting === 'string' ? parseMetadataUrl(setting) : setting;
  return `PostgreSQL ${redactUrl(options.url)}${options.schema === undefined ? '' : ` schema ${options.schema}`}`;
}

/** Opens the metadata a setting names; LMDB in `dir` without one. */
export async function openMetadata(setting: MetadataSetting | undefined, dir: string): Promise<RegistryMetadata> {
  if (setting === undefined) return LmdbMetadata.open(dir);
  return PgMetadata.open(typeof setting === 'string' ? parseMetadataUrl(setting) : setting);
}
