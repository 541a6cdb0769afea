import test from 'ava';
import { isInvalidArgument } from '@strata/errors';
import { checkSchemaName, parsePostgresUrl, redactPostgresUrl, withSchemaParameter } from '@strata/postgres';

test('a URL names its schema, which is taken out of what pg connects with', (t) => {
  const parsed = parsePostgresUrl('postgresql://strata:s3cret@127.0.0.1:5432/strata?schema=reg_a&sslmode=disable', 'metadata');
  t.is(parsed.schema, 'reg_a');
  t.false(parsed.url.includes('schema='));
  t.true(parsed.url.includes('sslmode=disable'));
  t.true(parsed.url.startsWith('postgresql://strata:s3cret@127.0.0.1:5432/strata'));
});

test('a URL without a schema parameter names none; postgres:// is the same scheme', (t) => {
  const parsed = parsePostgresUrl('postgres://strata:s3cret@db.example:5432/strata', 'index');
  t.is(parsed.schema, undefined);
  t.is(parsed.url, 'postgres://strata:s3cret@db.example:5432/strata');
});

for (const bad of ['not a url', 'mysql://strata:s3cret@127.0.0.1/strata', 'http://strata:s3cret@127.0.0.1/strata', 'postgresql://strata:s3cret@[bad']) {
  test(`${JSON.stringify(bad.replace('s3cret', '…'))} is InvalidArgument, the password never shown`, (t) => {
    const error = t.throws(() => parsePostgresUrl(bad, 'index'));
    t.true(isInvalidArgument(error));
    t.false(error!.message.includes('s3cret'));
    t.false(JSON.stringify((error as { details?: unknown }).details ?? {}).includes('s3cret'));
  });
}

test('redaction masks the password of URLs and of text that only looks like one', (t) => {
  const redacted = redactPostgresUrl('postgresql://strata:s3cret@127.0.0.1:5432/strata?schema=a');
  t.false(redacted.includes('s3cret'));
  t.true(redacted.includes('strata:***@127.0.0.1:5432/strata'));
  t.false(redactPostgresUrl('postgresql://strata:s3cret@[bad').includes('s3cret'));
  // Nothing to hide: the URL comes back as it was.
  t.is(redactPostgresUrl('postgresql://strata@127.0.0.1:5432/strata'), 'postgresql://strata@127.0.0.1:5432/strata');
});

test('withSchemaParameter names another schema, and refuses one that is not a plain identifier', (t) => {
  const url = withSchemaParameter('postgresql://strata:s3cret@127.0.0.1:5432/strata?schema=a&sslmode=disable', 'b_cas');
  t.deepEqual(parsePostgresUrl(url, 'index'), { url: 'postgresql://strata:s3cret@127.0.0.1:5432/strata?sslmode=disable', schema: 'b_cas' });
  t.true(isInvalidArgument(t.throws(() => withSchemaParameter(url, 'B-cas'))));
});

test('schema names are lower-case identifiers of at most 63 characters', (t) => {
  for (const good of ['strata_cas', '_x', `a${'b'.repeat(62)}`]) t.is(checkSchemaName(good), good);
  for (const bad of ['Upper', 'a-b', 'x"; DROP SCHEMA public; --', '', '1abc', `a${'b'.repeat(63)}`]) {
    t.true(isInvalidArgument(t.throws(() => checkSchemaName(bad))), bad);
  }
});
