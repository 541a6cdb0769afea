import { parsePostgresUrl, redactPostgresUrl } from '@strata/postgres';
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
  const parsed = parsePostgresUrl(url, 'metadata');
  return parsed.schema === undefined ? { url: parsed.url } : { url: parsed.url, schema: parsed.schema };
}

/** The URL with its password replaced, fit for logs and error messages. */
export { redactPostgresUrl as redactUrl } from '@strata/postgres';

/** A redacted description of the setting for a log line. */
export function describeMetadata(setting: MetadataSetting | undefined, dir: string): string {
  if (setting === undefined) return `LMDB in ${dir}`;
  const options = typeof setting === 'string' ? parseMetadataUrl(setting) : setting;
  return `PostgreSQL ${redactPostgresUrl(options.url)}${options.schema === undefined ? '' : ` schema ${options.schema}`}`;
}

/** Opens the metadata a setting names; LMDB in `dir` without one. */
export async function openMetadata(setting: MetadataSetting | undefined, dir: string): Promise<RegistryMetadata> {
  if (setting === undefined) return LmdbMetadata.open(dir);
  return PgMetadata.open(typeof setting === 'string' ? parseMetadataUrl(setting) : setting);
}
