import test from 'ava';
import { isInternal, isUnavailable, StrataError } from '@strata/errors';
import { postgresError } from '@strata/postgres';

/** An error shaped as `pg` reports one: an Error with the SQLSTATE or socket code in `code`. */
function pgFailure(code: string | undefined, message = 'failed'): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

for (const code of ['08006', '40001', '40P01', '53300', '57P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) {
  test(`${code} means the database cannot answer now: Unavailable`, (t) => {
    const error = postgresError('engine index in PostgreSQL', 'write', pgFailure(code));
    t.true(isUnavailable(error));
    t.is(error.details['operation'], 'write');
    t.is(error.details['sqlState'], code);
  });
}

for (const code of ['23505', '42P01', '22P02', 'XX000']) {
  test(`${code} is a failure of the request or the server: Internal`, (t) => {
    const error = postgresError('gateway metadata in PostgreSQL', 'linkBlob', pgFailure(code));
    t.true(isInternal(error));
    t.is(error.details['sqlState'], code);
  });
}

test('errors without a code are told apart by what they say', (t) => {
  t.true(isUnavailable(postgresError('s', 'query', pgFailure(undefined, 'Connection terminated unexpectedly'))));
  t.true(isUnavailable(postgresError('s', 'connect', pgFailure(undefined, 'timeout expired'))));
  t.true(isUnavailable(postgresError('s', 'query', pgFailure(undefined, 'Client was closed and is not queryable'))));
  t.true(isInternal(postgresError('s', 'query', pgFailure(undefined, 'something else'))));
  t.true(isInternal(postgresError('s', 'query', 'not even an Error')));
});

test('a StrataError passes through as it is; others keep their cause', (t) => {
  const strata = new StrataError('FailedPrecondition', 'in use');
  t.is(postgresError('s', 'open', strata), strata);
  const cause = pgFailure('23505');
  t.is(postgresError('s', 'open', cause).cause, cause);
});
