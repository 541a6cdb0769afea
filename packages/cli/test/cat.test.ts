import test, { type ExecutionContext } from 'ava';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB, sha256, strata, tempDir, writeInput } from './support.ts';

async function storeWithBlob(t: ExecutionContext) {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const file = await writeInput(dir, 'blob.bin', 2 * MiB + 777);
  const ingest = await strata(['ingest', '--data', data, file.path]);
  t.is(ingest.code, 0, ingest.stderr);
  return { dir, data, bytes: file.bytes, digest: sha256(file.bytes) };
}

test('cat writes the whole blob and byte ranges of it', async (t) => {
  const { data, bytes, digest } = await storeWithBlob(t);
  const whole = await strata(['cat', '--data', data, digest]);
  t.is(whole.code, 0, whole.stderr);
  t.true(whole.stdout.equals(bytes));

  const ranges: { offset?: number; length?: number }[] = [
    { offset: 1000, length: 70_000 },
    { offset: MiB + 3 },
    { length: 10 },
    { offset: bytes.byteLength - 5, length: 100 },
    { offset: bytes.byteLength },
  ];
  for (const { offset, length } of ranges) {
    const args = ['cat', '--data', data, digest];
    if (offset !== undefined) args.push('--offset', String(offset));
    if (length !== undefined) args.push('--length', String(length));
    const part = await strata(args);
    t.is(part.code, 0, part.stderr);
    const start = offset ?? 0;
    const expected = bytes.subarray(start, length === undefined ? undefined : start + length);
    t.true(part.stdout.equals(expected), `offset ${offset} length ${length}`);
  }
});

test('cat past the end of the blob exits 1', async (t) => {
  const { data, bytes, digest } = await storeWithBlob(t);
  const result = await strata(['cat', '--data', data, digest, '--offset', String(bytes.byteLength + 1)]);
  t.is(result.code, 1);
  t.is(result.stdout.byteLength, 0);
  t.regex(result.stderr, /^strata: /);
});

test('cat of a digest the store lacks exits 1', async (t) => {
  const { data } = await storeWithBlob(t);
  const result = await strata(['cat', '--data', data, sha256(Buffer.from('never stored'))]);
  t.is(result.code, 1);
  t.regex(result.stderr, /^strata: .*\n$/);
});

test('cat, stats and fsck on a missing data directory exit 1 and create nothing', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'nothing-here');
  for (const args of [['cat', sha256(Buffer.from('x'))], ['stats'], ['fsck']]) {
    const result = await strata([...args, '--data', data]);
    t.is(result.code, 1, args[0]);
  }
  await t.throwsAsync(access(data));
});

test('a malformed digest or byte count is a usage error', async (t) => {
  const { data, digest } = await storeWithBlob(t);
  const bad = [
    ['cat', '--data', data, 'sha256:abc'],
    ['cat', '--data', data, 'not-a-digest'],
    ['cat', '--data', data, digest, '--offset', '-1'],
    ['cat', '--data', data, digest, '--offset', 'ten'],
    ['cat', '--data', data, digest, '--length', '1.5'],
  ];
  for (const args of bad) {
    const result = await strata(args);
    t.is(result.code, 2, args.join(' '));
    t.is(result.stdout.byteLength, 0);
  }
});
