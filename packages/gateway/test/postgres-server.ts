import type { TestFn } from 'ava';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';

/** The PostgreSQL server of one test file. */
export interface FilePostgres {
  /** The server; throws when it did not start (the file's tests then fail, never skip). */
  server(): PostgresServer;
  /** `postgresql://…` of the server, without a schema. */
  url(): string;
  /** A schema name no other test of this process has used: tests share the server, never a schema. */
  freshSchema(prefix?: string): string;
}

let schemas = 0;

/**
 * One PostgreSQL for the calling test file: started before its first test,
 * stopped after its last, each test working in schemas of its own.
 */
export function postgresForFile(test: TestFn): FilePostgres {
  let running: PostgresServer | undefined;
  test.before(async () => {
    running = await sharedPostgres();
  });
  test.after.always(() => running?.stop());
  const server = (): PostgresServer => {
    if (!running) throw new Error('PostgreSQL did not start');
    return running;
  };
  return {
    server,
    url: () => server().url,
    freshSchema: (prefix = 't') => `${prefix}${process.pid}_${++schemas}`,
  };
}
