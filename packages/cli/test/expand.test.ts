import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lines, sha256, strata, strataJson, tempDir, writeInput, type Stats } from './support.ts';

interface ExpandReport {
  tried: number;
  expanded: number;
  plain: number;
  skipped: number;
  failed: number;
  results: { digest: string; outcome: string; chunks?: number; newChunks?: number }[];
  storedBytesBefore: number;
  storedBytesAfter: number;
  gc?: { chunksSwept: number };
}

/** Plain-text modules that ship with Debian's perl. */
const PERL_DIR = `/usr/share/perl/${readdirSync('/usr/share/perl').find((name) => /^5\./.test(name))}`;

/** Two tars of the same tree that differ in one file, as two gzip layers (GNU gzip and Node's zlib). */
function twoLayers(dir: string): { first: Buffer; second: Buffer } {
  const tar = (extra: string): Buffer => {
    execFileSync('sh', ['-c', `printf %s "${extra}" > ${join(dir, 'changed.txt')}`]);
    return execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', '-', '-C', PERL_DIR, 'Pod', 'TAP', 'Test', 'Math', '-C', dir, 'changed.txt'], { maxBuffer: 1 << 30 });
  };
  const first = execFileSync('gzip', ['-n', '-6', '-c'], { input: tar('one'), maxBuffer: 1 << 30 });
  const second = gzipSync(tar('two'), { level: 6 });
  return { first, second };
}

test('expand: layers ingested without expansion are expanded and kept bit-exact; --collect reclaims their compressed chunks; a second run tries nothing', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const { first, second } = twoLayers(dir);
  const one = await writeInput(dir, 'one.tar.gz', first);
  const two = await writeInput(dir, 'two.tar.gz', second);
  const random = await writeInput(dir, 'random', 200 * 1024);
  t.is((await strata(['ingest', '--data', data, one.path, two.path, random.path])).code, 0);
  const [before] = await strataJson<Stats>(t, ['stats', '--data', data]);

  const [report] = await strataJson<ExpandReport>(t, ['expand', '--data', data, '--collect']);
  t.like(report, { tried: 3, expanded: 2, plain: 0, skipped: 1, failed: 0 });
  t.true(report!.gc!.chunksSwept > 0);
  // Expanded second, either layer finds all but its changed file's chunks stored already.
  const shares = report!.results.filter(({ outcome }) => outcome === 'expanded').map(({ chunks, newChunks }) => newChunks! / chunks!);
  t.is(shares.length, 2);
  t.true(Math.min(...shares) < 0.2, String(shares));
  const [after] = await strataJson<Stats>(t, ['stats', '--data', data]);
  t.is(after!.blobs, 3);
  t.is(after!.garbageBytes, 0);
  // The two layers now share their files' chunks: together they store about one layer's worth.
  t.true(after!.storedBytes < before!.storedBytes - 0.6 * Math.min(first.length, second.length), `${after!.storedBytes} of ${before!.storedBytes}`);
  for (const input of [one, two, random]) {
    const cat = await strata(['cat', '--data', data, sha256(input.bytes)]);
    t.is(cat.code, 0, cat.stderr);
    t.true(cat.stdout.equals(input.bytes));
  }
  t.is((await strata(['fsck', '--data', data])).code, 0);
  const table = await strata(['stats', '--data', data]);
  t.true(lines(table).some((line) => /^expandedLayers\s+2, /.test(line)), table.stdout.toString());

  const [again] = await strataJson<ExpandReport>(t, ['expand', '--data', data]);
  t.like(again, { tried: 0, expanded: 0 });
  const retried = await strata(['expand', '--data', data, '--retry']);
  t.is(retried.code, 0, retried.stderr);
  t.true(lines(retried).some((line) => line.startsWith(`${sha256(random.bytes)} skipped`)));
});

test('expand: named blobs only; an unknown digest or a missing store fails with a message and exit 1', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const { first, second } = twoLayers(dir);
  const one = await writeInput(dir, 'one.tar.gz', first);
  const two = await writeInput(dir, 'two.tar.gz', second);
  t.is((await strata(['ingest', '--data', data, one.path, two.path])).code, 0);
  const [report] = await strataJson<ExpandReport>(t, ['expand', '--data', data, sha256(second)]);
  t.like(report, { tried: 1, expanded: 1 });
  t.deepEqual(report!.results.map(({ digest, outcome }) => [digest, outcome]), [[sha256(second), 'expanded']]);
  const [rest] = await strataJson<ExpandReport>(t, ['expand', '--data', data]);
  t.like(rest, { tried: 1, expanded: 1 });

  const unknown = await strata(['expand', '--data', data, sha256(Buffer.from('absent'))]);
  t.is(unknown.code, 1);
  t.true(unknown.stderr.length > 0);
  const missing = await strata(['expand', '--data', join(dir, 'nothing-here')]);
  t.is(missing.code, 1);
  t.true(missing.stderr.length > 0);
});

test('expand: --expand-max-size and --expand-max-plain leave larger layers as they are; the servers take them only with --expand-layers', async (t) => {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const { first } = twoLayers(dir);
  const one = await writeInput(dir, 'one.tar.gz', first);
  t.is((await strata(['ingest', '--data', data, one.path])).code, 0);
  const digest = sha256(first);
  const [bySize] = await strataJson<ExpandReport & { results: { reason?: string }[] }>(t, ['expand', '--data', data, '--json', '--expand-max-size', '1KiB', digest]);
  t.like(bySize, { tried: 1, expanded: 0, skipped: 1 });
  t.regex(bySize!.results[0]!.reason ?? '', /larger than 1024 bytes/);
  const [byPlain] = await strataJson<ExpandReport & { results: { reason?: string }[] }>(t, ['expand', '--data', data, '--json', '--expand-max-plain', '64KiB', digest]);
  t.like(byPlain, { tried: 1, expanded: 0, plain: 1 });
  t.regex(byPlain!.results[0]!.reason ?? '', /plaintext larger than 65536 bytes/);
  const [unbounded] = await strataJson<ExpandReport>(t, ['expand', '--data', data, '--json', digest]);
  t.like(unbounded, { tried: 1, expanded: 1 });
  const cat = await strata(['cat', '--data', data, digest]);
  t.true(cat.stdout.equals(first));
  for (const command of ['serve', 'cas']) {
    const refused = await strata([command, '--data', join(dir, `${command}-data`), '--expand-max-size', '1GiB']);
    t.is(refused.code, 2, `${command}: ${refused.stderr}`);
    t.regex(refused.stderr.toString(), /--expand-layers/);
  }
  t.is((await strata(['expand', '--data', data, '--expand-max-size', 'lots'])).code, 2);
});
