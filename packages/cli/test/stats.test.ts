import test from 'ava';
import { join } from 'node:path';
import { lines, MiB, strata, strataJson, tempDir, writeInput, type Stats } from './support.ts';

test('stats reports the blobs and logical bytes ingested, as JSON and as a table', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const big = await writeInput(dir, 'big', 3 * MiB);
  const small = await writeInput(dir, 'small', 100);
  t.is((await strata(['ingest', '--data', data, big.path, small.path])).code, 0);

  const [stats] = await strataJson<Stats>(t, ['stats', '--data', data]);
  const logical = big.bytes.byteLength + small.bytes.byteLength;
  t.is(stats!.blobs, 2);
  t.is(stats!.logicalBytes, logical);
  t.is(stats!.uniqueBytes, logical, 'random data shares nothing');
  t.true(stats!.chunks > 1);
  t.true(stats!.packs >= 1);
  t.true(stats!.storedBytes > 0);
  t.is(stats!.dedupRatio, stats!.logicalBytes / stats!.storedBytes);
  t.is(stats!.garbageBytes, 0);

  const table = await strata(['stats', '--data', data]);
  t.is(table.code, 0, table.stderr);
  const rows = new Map(lines(table).map((line) => [line.split(/\s+/)[0], line]));
  for (const name of ['blobs', 'chunks', 'logicalBytes', 'uniqueBytes', 'storedBytes', 'dedupRatio', 'garbageBytes', 'packs']) {
    t.true(rows.has(name), name);
  }
  t.regex(rows.get('blobs')!, /\s2$/);
  t.true(rows.get('logicalBytes')!.includes(`(${logical} bytes)`));
  t.true(rows.get('storedBytes')!.includes(`(${stats!.storedBytes} bytes)`));
});
