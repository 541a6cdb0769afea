export { advisoryLockKey } from './advisory-lock-key.ts';
export { parsePostgresUrl, redactPostgresUrl, withSchemaParameter, type PostgresUrl } from './connection-url.ts';
export { bigintsAsNumbers } from './number-types.ts';
export { postgresError } from './postgres-error.ts';
export { checkSchemaName } from './schema-name.ts';
export { migratePooledSchema, migrateSchema, type Migration, type MigrationPlan } from './schema-migrations.ts';
