import { randomUUID } from 'node:crypto';
import test from 'ava';
import { withIndexSchema } from '@strata/cas';
import { runContentStoreSuite } from '@strata/cas-testsuite';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';
import { engineFactory } from './engine-factory.ts';

// One server for the file; every store keeps its index in a schema of its own.
let server: PostgresServer | undefined;
test.before(async () => {
  server = await sharedPostgres();
});
test.after.always(() => server?.stop());

function indexUrl(): string {
  if (!server) throw new Error('PostgreSQL did not start');
  return withIndexSchema(server.url, `t_${randomUUID().replaceAll('-', '')}`);
}

// The engine with its index in PostgreSQL passes the same conformance suite as with LMDB.
runContentStoreSuite(test, engineFactory(() => ({ index: indexUrl(), targetPackBytes: 4 * 1024 * 1024 })), {
  name: 'engine with the PostgreSQL index',
  largeBlobBytes: 64 * 1024 * 1024,
});
