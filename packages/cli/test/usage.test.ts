import test from 'ava';
import { readFile } from 'node:fs/promises';
import { strata } from './support.ts';

test('bad usage exits 2 with the usage on stderr', async (t) => {
  const bad = [[], ['frobnicate'], ['cat'], ['ingest'], ['stats', 'extra'], ['fsck', '--no-such-option'], ['help', 'frobnicate']];
  for (const args of bad) {
    const result = await strata(args);
    t.is(result.code, 2, args.join(' '));
    t.is(result.stdout.byteLength, 0, args.join(' '));
    t.regex(result.stderr, /Usage: strata/, args.join(' '));
  }
});

test('--help and help COMMAND print help and exit 0', async (t) => {
  for (const args of [['--help'], ['help'], ['help', 'ingest'], ['cat', '--help'], ['help', 'fsck']]) {
    const result = await strata(args);
    t.is(result.code, 0, args.join(' '));
    t.regex(result.stdout.toString(), /^Usage: strata/, args.join(' '));
  }
});

test('--version prints the package version', async (t) => {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const result = await strata(['--version']);
  t.is(result.code, 0);
  t.is(result.stdout.toString().trim(), version);
});
