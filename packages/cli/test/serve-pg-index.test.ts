import { createHash, randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';
import { pushBlob, serve, strata, tempDir, type Stats } from './support.ts';

let postgres: PostgresServer | undefined;
test.before(async () => {
  postgres = await sharedPostgres();
});
test.after.always(() => postgres?.stop());

test('a store served with its index in PostgreSQL is read by stats, cat and fsck given --metadata, and refused without it', async (t) => {
  const data = await tempDir(t);
  const metadata = `${postgres!.url}?schema=registry_a`;
  const server = await serve(t, ['--data', data, '--metadata', metadata]);
  const blob = randomBytes(300_000);
  const digest = await pushBlob(server.url, 'team/app', blob);
  t.is(await server.stop(), 0);

  // The URL given to serve names the registry's schema; the engine's index is beside it, and the directory knows where.
  const stats = await strata(['stats', '--data', data, '--metadata', metadata, '--json']);
  t.is(stats.code, 0, stats.stderr);
  const figures = JSON.parse(stats.stdout.toString()) as Stats;
  t.is(figures.blobs, 1);
  t.is(figures.logicalBytes, blob.byteLength);
  const viaEnv = await strata(['cat', digest, '--data', data], { STRATA_METADATA: postgres!.url });
  t.is(viaEnv.code, 0, viaEnv.stderr);
  t.is(createHash('sha256').update(viaEnv.stdout).digest('hex'), digest.slice('sha256:'.length));
  const fsck = await strata(['fsck', '--data', data, '--metadata', postgres!.url, '--json']);
  t.is(fsck.code, 0, fsck.stderr);

  const without = await strata(['stats', '--data', data]);
  t.is(without.code, 1);
  t.regex(without.stderr, /PostgreSQL/);
  t.false(without.stderr.includes(postgres!.password));
});

test('serve --metadata over a store already indexed in its directory keeps that index and serves what it holds', async (t) => {
  const data = await tempDir(t);
  const first = await serve(t, ['--data', data]);
  const blob = randomBytes(100_000);
  const digest = await pushBlob(first.url, 'team/app', blob);
  t.is(await first.stop(), 0);

  const second = await serve(t, ['--data', data, '--metadata', `${postgres!.url}?schema=registry_b`]);
  t.regex(second.stderr(), /keeps its LMDB index/);
  // The new registry metadata links the blob the store already holds once it is pushed again.
  t.is(await pushBlob(second.url, 'team/app', blob), digest);
  const pulled = Buffer.from(await (await fetch(`${second.url}/v2/team/app/blobs/${digest}`)).arrayBuffer());
  t.true(pulled.equals(blob));
  t.is(await second.stop(), 0);
  const stats = await strata(['stats', '--data', data, '--json']);
  t.is(stats.code, 0, stats.stderr);
  t.is((JSON.parse(stats.stdout.toString()) as Stats).blobs, 1);
  await t.throwsAsync(access(join(data, 'cas', 'INDEX')));
});
