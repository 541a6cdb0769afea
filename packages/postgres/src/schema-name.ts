import { StrataError } from '@strata/errors';

/**
 * A PostgreSQL schema name strata will use: lower-case SQL identifiers only,
 * so the name never needs escaping beyond double quotes. InvalidArgument
 * for anything else.
 */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StrataError('InvalidArgument', `${JSON.stringify(schema)} is not a usable PostgreSQL schema name (lower-case letters, digits and _, at most 63)`, {
      details: { schema },
    });
  }
  return schema;
}
