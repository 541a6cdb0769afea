import test from 'ava';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, MiB, sha256, strata, strataJson, tempDir, writeInput, type IngestLine, type Stats } from './support.ts';

test('ingest prints DIGEST SIZE FILE for each file, digests being the sha256 of the bytes', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const big = await writeInput(dir, 'big.bin', MiB + 12345);
  const tiny = await writeInput(dir, 'tiny.txt', Buffer.from('tiny\n'));
  const result = await strata(['ingest', '--data', data, big.path, tiny.path]);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(lines(result), [
    `${sha256(big.bytes)} ${big.bytes.byteLength} ${big.path}`,
    `${sha256(tiny.bytes)} ${tiny.bytes.byteLength} ${tiny.path}`,
  ]);
  t.is(result.stderr, '', 'no progress bar when stderr is not a terminal');
  // The store is closed and its lock released when the command ends.
  await t.throwsAsync(access(join(data, 'cas', 'LOCK')));
});

test('ingest --json prints one object per file, and created is false the second time', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const one = await writeInput(dir, 'one', 40_000);
  const two = await writeInput(dir, 'two', Buffer.from('two'));
  const first = await strataJson<IngestLine>(t, ['ingest', '--data', data, one.path, two.path]);
  t.deepEqual(first, [
    { digest: sha256(one.bytes), size: one.bytes.byteLength, file: one.path, created: true },
    { digest: sha256(two.bytes), size: two.bytes.byteLength, file: two.path, created: true },
  ]);
  const again = await strataJson<IngestLine>(t, ['ingest', '--data', data, one.path]);
  t.deepEqual(again, [{ digest: sha256(one.bytes), size: one.bytes.byteLength, file: one.path, created: false }]);
});

test('ingesting a 20 MiB file twice grows the store by less than 1%', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const file = await writeInput(dir, 'layer.tar', 20 * MiB);
  const [first] = await strataJson<IngestLine>(t, ['ingest', '--data', data, file.path]);
  t.true(first?.created);
  const [before] = await strataJson<Stats>(t, ['stats', '--data', data]);
  const [second] = await strataJson<IngestLine>(t, ['ingest', '--data', data, file.path]);
  t.false(second?.created);
  t.is(second?.digest, sha256(file.bytes));
  const [after] = await strataJson<Stats>(t, ['stats', '--data', data]);
  const grown = after!.storedBytes - before!.storedBytes;
  t.true(grown < before!.storedBytes * 0.01, `grew by ${grown} bytes`);
  t.is(after!.blobs, 1);
  t.is(after!.logicalBytes, 20 * MiB);
});

test('ingest stores the files it can read and exits 1 naming the others', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const good = await writeInput(dir, 'good', Buffer.from('good bytes'));
  const missing = join(dir, 'missing');
  const result = await strata(['ingest', '--data', data, missing, good.path, dir]);
  t.is(result.code, 1);
  t.deepEqual(lines(result), [`${sha256(good.bytes)} ${good.bytes.byteLength} ${good.path}`]);
  t.true(result.stderr.includes(missing));
  t.true(result.stderr.includes(dir));
  const cat = await strata(['cat', '--data', data, sha256(good.bytes)]);
  t.is(cat.code, 0);
  t.deepEqual(cat.stdout, good.bytes);
});

test('many files stored at once are printed in the order they were named', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  // Large and small files interleaved, so later small ones finish before earlier large ones.
  const inputs = [];
  for (let i = 0; i < 24; i++) inputs.push(await writeInput(dir, `f${i}`, i % 3 === 0 ? 3 * MiB + i : 100 + i));
  const result = await strata(['ingest', '--data', data, ...inputs.map((input) => input.path)]);
  t.is(result.code, 0, result.stderr);
  t.deepEqual(
    lines(result),
    inputs.map((input) => `${sha256(input.bytes)} ${input.bytes.byteLength} ${input.path}`),
  );
});
