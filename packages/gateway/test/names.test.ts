import test from 'ava';
import { isRepositoryName, isTag } from '@strata/gateway';
import { errorCodes, pushBlob, randomBlob, startEngineRegistry } from './support.ts';

test('repository names follow the spec grammar and length limit', (t) => {
  for (const name of ['a', 'library/ubuntu', 'a.b_c__d---e/f0', 'x/y/z/w', 'blobs/manifests', `a/${'b'.repeat(253)}`]) {
    t.true(isRepositoryName(name), name);
  }
  for (const name of ['', 'A', 'a/', '/a', 'a//b', 'a..b', 'a___b', '-a', 'a-', 'a:b', `a/${'b'.repeat(254)}`]) {
    t.false(isRepositoryName(name), name);
  }
});

test('tags follow the spec grammar', (t) => {
  for (const tag of ['latest', 'v1.0', '_x', 'A-b_c.d', 'a'.repeat(128)]) t.true(isTag(tag), tag);
  for (const tag of ['', '.x', '-x', 'a/b', 'a:b', 'a'.repeat(129)]) t.false(isTag(tag), tag);
});

test('malformed repository names are 400 NAME_INVALID; names with slashes and resource words route', async (t) => {
  const { url } = await startEngineRegistry(t);
  const bad = await fetch(`${url}/v2/Bad_Name/tags/list`);
  t.is(bad.status, 400);
  t.deepEqual(await errorCodes(bad), ['NAME_INVALID']);
  const badPush = await fetch(`${url}/v2/a..b/blobs/uploads/`, { method: 'POST' });
  t.is(badPush.status, 400);
  t.deepEqual(await errorCodes(badPush), ['NAME_INVALID']);

  const blob = randomBlob(100);
  await pushBlob(url, 'org/blobs/uploads', blob.bytes);
  t.is((await fetch(`${url}/v2/org/blobs/uploads/blobs/${blob.digest}`)).status, 200);
  const upload = await fetch(`${url}/v2/org/manifests/blobs/uploads/`, { method: 'POST' });
  t.is(upload.status, 202);
  t.regex(upload.headers.get('location') ?? '', /^\/v2\/org\/manifests\/blobs\/uploads\/[0-9a-f-]+$/);
});
