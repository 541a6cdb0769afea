import test from 'ava';
import { errorCodes, pushBlob, randomBlob, startEngineRegistry } from './support.ts';

test('monolithic POST ?digest= stores the blob; HEAD and GET serve it with its digest', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(300_000);
  const post = await fetch(`${url}/v2/team/app/blobs/uploads/?digest=${blob.digest}`, { method: 'POST', body: blob.bytes });
  t.is(post.status, 201);
  t.is(post.headers.get('location'), `/v2/team/app/blobs/${blob.digest}`);
  t.is(post.headers.get('docker-content-digest'), blob.digest);

  const head = await fetch(`${url}/v2/team/app/blobs/${blob.digest}`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), String(blob.bytes.length));
  t.is(head.headers.get('docker-content-digest'), blob.digest);

  const get = await fetch(`${url}/v2/team/app/blobs/${blob.digest}`);
  t.is(get.status, 200);
  t.true(Buffer.from(await get.arrayBuffer()).equals(blob.bytes));
});

test('GET with Range answers 206 with the bytes asked for, 416 past the end', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(100_000);
  await pushBlob(url, 'demo', blob.bytes);
  const blobUrl = `${url}/v2/demo/blobs/${blob.digest}`;

  const middle = await fetch(blobUrl, { headers: { range: 'bytes=1000-1999' } });
  t.is(middle.status, 206);
  t.is(middle.headers.get('content-range'), `bytes 1000-1999/${blob.bytes.length}`);
  t.true(Buffer.from(await middle.arrayBuffer()).equals(blob.bytes.subarray(1000, 2000)));

  const open = await fetch(blobUrl, { headers: { range: 'bytes=99000-' } });
  t.is(open.status, 206);
  t.true(Buffer.from(await open.arrayBuffer()).equals(blob.bytes.subarray(99_000)));

  const suffix = await fetch(blobUrl, { headers: { range: 'bytes=-10' } });
  t.is(suffix.status, 206);
  t.true(Buffer.from(await suffix.arrayBuffer()).equals(blob.bytes.subarray(-10)));

  const past = await fetch(blobUrl, { headers: { range: 'bytes=100000-100010' } });
  t.is(past.status, 416);
  t.is(past.headers.get('content-range'), `bytes */${blob.bytes.length}`);
  t.deepEqual(await errorCodes(past), ['RANGE_INVALID']);
});

test('unknown blobs are 404 BLOB_UNKNOWN; malformed digests 400 DIGEST_INVALID', async (t) => {
  const { url } = await startEngineRegistry(t);
  const missing = await fetch(`${url}/v2/demo/blobs/sha256:${'a'.repeat(64)}`);
  t.is(missing.status, 404);
  t.deepEqual(await errorCodes(missing), ['BLOB_UNKNOWN']);
  const head = await fetch(`${url}/v2/demo/blobs/sha256:${'a'.repeat(64)}`, { method: 'HEAD' });
  t.is(head.status, 404);
  const malformed = await fetch(`${url}/v2/demo/blobs/sha256:xyz`);
  t.is(malformed.status, 400);
  t.deepEqual(await errorCodes(malformed), ['DIGEST_INVALID']);
});

test('a blob pushed to one repository is unknown in another', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(5000);
  await pushBlob(url, 'alpha', blob.bytes);
  t.is((await fetch(`${url}/v2/alpha/blobs/${blob.digest}`, { method: 'HEAD' })).status, 200);
  const other = await fetch(`${url}/v2/beta/blobs/${blob.digest}`);
  t.is(other.status, 404);
  t.deepEqual(await errorCodes(other), ['BLOB_UNKNOWN']);
});

test('DELETE unlinks a blob from the repository: 202, then 404', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(1000);
  await pushBlob(url, 'alpha', blob.bytes);
  await pushBlob(url, 'beta', blob.bytes);
  const deleted = await fetch(`${url}/v2/alpha/blobs/${blob.digest}`, { method: 'DELETE' });
  t.is(deleted.status, 202);
  t.is((await fetch(`${url}/v2/alpha/blobs/${blob.digest}`)).status, 404);
  t.is((await fetch(`${url}/v2/beta/blobs/${blob.digest}`)).status, 200);
  const again = await fetch(`${url}/v2/alpha/blobs/${blob.digest}`, { method: 'DELETE' });
  t.is(again.status, 404);
  t.deepEqual(await errorCodes(again), ['BLOB_UNKNOWN']);
});

test('with deletes disabled, DELETE answers 405 UNSUPPORTED and keeps the blob', async (t) => {
  const { url } = await startEngineRegistry(t, { deletesEnabled: false });
  const blob = randomBlob(1000);
  await pushBlob(url, 'alpha', blob.bytes);
  const deleted = await fetch(`${url}/v2/alpha/blobs/${blob.digest}`, { method: 'DELETE' });
  t.is(deleted.status, 405);
  t.deepEqual(await errorCodes(deleted), ['UNSUPPORTED']);
  t.is((await fetch(`${url}/v2/alpha/blobs/${blob.digest}`)).status, 200);
});

test('a monolithic upload whose bytes do not match the digest is 400 DIGEST_INVALID and stores nothing', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(1000);
  const wrong = randomBlob(10).digest;
  const post = await fetch(`${url}/v2/demo/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: blob.bytes });
  t.is(post.status, 400);
  t.deepEqual(await errorCodes(post), ['DIGEST_INVALID']);
  t.is((await fetch(`${url}/v2/demo/blobs/${wrong}`)).status, 404);
  t.is((await fetch(`${url}/v2/demo/blobs/${blob.digest}`)).status, 404);
});
