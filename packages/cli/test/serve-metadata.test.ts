import test from 'ava';
import { strata, tempDir } from './support.ts';

const PASSWORD = 'pw-that-must-not-show-7f3a';

test('serve --metadata refuses a URL that is not postgresql:// as a usage error, password hidden', async (t) => {
  const dir = await tempDir(t);
  const result = await strata(['serve', '--data', dir, '--listen', '127.0.0.1:0', '--metadata', `mysql://strata:${PASSWORD}@127.0.0.1:1/strata`]);
  t.is(result.code, 2);
  t.false(result.stderr.includes(PASSWORD));
  t.regex(result.stderr, /--metadata/);
});

test('serve with STRATA_METADATA naming a database that does not answer fails without showing the password', async (t) => {
  const dir = await tempDir(t);
  // Port 1 on loopback: nothing listens there.
  const result = await strata(['serve', '--data', dir, '--listen', '127.0.0.1:0'], { STRATA_METADATA: `postgresql://strata:${PASSWORD}@127.0.0.1:1/strata` });
  t.is(result.code, 1);
  t.false(result.stderr.includes(PASSWORD));
  t.false(result.stdout.includes(PASSWORD));
});
