import test from 'ava';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { isInvalidArgument } from '@strata/errors';
import { Digester, digestBytes, digestStream, isDigest, parseDigest } from '@strata/digest';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('parses sha256 and sha512 digests', (t) => {
  t.deepEqual(parseDigest(EMPTY_SHA256), { algorithm: 'sha256', hex: EMPTY_SHA256.slice(7) });
  const sha512 = digestBytes(new Uint8Array(), 'sha512');
  t.is(parseDigest(sha512).algorithm, 'sha512');
});

for (const bad of [
  '',
  'sha256',
  'sha256:',
  'sha256:abc',
  `sha256:${'A'.repeat(64)}`,
  `sha256:${'g'.repeat(64)}`,
  `md5:${'a'.repeat(32)}`,
  `sha512:${'a'.repeat(64)}`,
  `SHA256:${'a'.repeat(64)}`,
  ` ${EMPTY_SHA256}`,
]) {
  test(`rejects ${JSON.stringify(bad)} with InvalidArgument`, (t) => {
    const error = t.throws(() => parseDigest(bad));
    t.true(isInvalidArgument(error));
    t.false(isDigest(bad));
  });
}

test('digests bytes and streams identically', async (t) => {
  const bytes = Buffer.from('strata'.repeat(1000));
  const expected = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  t.is(digestBytes(bytes), expected);
  const pieces = [bytes.subarray(0, 7), bytes.subarray(7, 4000), bytes.subarray(4000)];
  t.deepEqual(await digestStream(Readable.from(pieces)), { digest: expected, size: bytes.length });
  t.is(digestBytes(new Uint8Array()), EMPTY_SHA256);
});

test('a copied digester gives the digest of the prefix', (t) => {
  const digester = new Digester().update(Buffer.from('abc'));
  const prefix = digester.copy();
  digester.update(Buffer.from('def'));
  t.is(prefix.digest(), digestBytes(Buffer.from('abc')));
  t.is(digester.digest(), digestBytes(Buffer.from('abcdef')));
  t.is(digester.size, 6);
});
