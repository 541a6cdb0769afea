import test from 'ava';
import { at, errorCodes, pushBlob, randomBlob, startEngineRegistry } from './support.ts';

async function startUpload(url: string, repository: string): Promise<Response> {
  const response = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' } });
  if (response.status !== 202) throw new Error(`POST answered ${response.status}`);
  return response;
}

test('POST then PUT with the whole body: 202 session, 201 blob', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(70_000);
  const session = await startUpload(url, 'demo');
  t.truthy(session.headers.get('docker-upload-uuid'));
  t.regex(session.headers.get('location') ?? '', /^\/v2\/demo\/blobs\/uploads\/[0-9a-f-]+$/);
  const location = new URL(at(url, session.headers.get('location')));
  location.searchParams.set('digest', blob.digest);
  const put = await fetch(location, { method: 'PUT', body: blob.bytes, headers: { 'content-type': 'application/octet-stream' } });
  t.is(put.status, 201);
  t.is(put.headers.get('location'), `/v2/demo/blobs/${blob.digest}`);
  t.is(put.headers.get('docker-content-digest'), blob.digest);
  t.is((await fetch(`${url}/v2/demo/blobs/${blob.digest}`)).status, 200);
});

test('streamed PATCH without Content-Range, then PUT ?digest= with no body', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(200_000);
  const session = await startUpload(url, 'demo');
  const patch = await fetch(at(url, session.headers.get('location')), { method: 'PATCH', body: blob.bytes });
  t.is(patch.status, 202);
  t.is(patch.headers.get('range'), `0-${blob.bytes.length - 1}`);
  const location = new URL(at(url, patch.headers.get('location')));
  location.searchParams.set('digest', blob.digest);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-length': '0' } });
  t.is(put.status, 201);
  const get = await fetch(`${url}/v2/demo/blobs/${blob.digest}`);
  t.true(Buffer.from(await get.arrayBuffer()).equals(blob.bytes));
});

test('chunked upload: out-of-order chunks are 416, status shows the range, the upload resumes and completes', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(90_000);
  const first = blob.bytes.subarray(0, 40_000);
  const second = blob.bytes.subarray(40_000);
  const session = await startUpload(url, 'demo');
  const uploadUrl = at(url, session.headers.get('location'));

  const outOfOrder = await fetch(uploadUrl, {
    method: 'PATCH',
    body: second,
    headers: { 'content-range': `40000-${blob.bytes.length - 1}`, 'content-type': 'application/octet-stream' },
  });
  t.is(outOfOrder.status, 416);
  t.deepEqual(await errorCodes(outOfOrder), ['RANGE_INVALID']);

  const chunk1 = await fetch(uploadUrl, { method: 'PATCH', body: first, headers: { 'content-range': '0-39999' } });
  t.is(chunk1.status, 202);
  t.is(chunk1.headers.get('range'), '0-39999');

  const retried = await fetch(uploadUrl, { method: 'PATCH', body: first, headers: { 'content-range': '0-39999' } });
  t.is(retried.status, 416);
  t.is(retried.headers.get('range'), '0-39999');
  t.truthy(retried.headers.get('location'));

  const status = await fetch(uploadUrl);
  t.is(status.status, 204);
  t.is(status.headers.get('range'), '0-39999');
  t.truthy(status.headers.get('location'));
  t.is(status.headers.get('docker-upload-uuid'), session.headers.get('docker-upload-uuid'));

  const chunk2 = await fetch(at(url, status.headers.get('location')), {
    method: 'PATCH',
    body: second,
    headers: { 'content-range': `40000-${blob.bytes.length - 1}` },
  });
  t.is(chunk2.status, 202);
  t.is(chunk2.headers.get('range'), `0-${blob.bytes.length - 1}`);

  const finish = new URL(at(url, chunk2.headers.get('location')));
  finish.searchParams.set('digest', blob.digest);
  const put = await fetch(finish, { method: 'PUT', headers: { 'content-length': '0' } });
  t.is(put.status, 201);
  const get = await fetch(`${url}/v2/demo/blobs/${blob.digest}`);
  t.true(Buffer.from(await get.arrayBuffer()).equals(blob.bytes));
});

test('PUT with the last chunk and its Content-Range completes a chunked upload', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(10_000);
  const session = await startUpload(url, 'demo');
  const uploadUrl = at(url, session.headers.get('location'));
  t.is((await fetch(uploadUrl, { method: 'PATCH', body: blob.bytes.subarray(0, 6000), headers: { 'content-range': '0-5999' } })).status, 202);
  const finish = new URL(uploadUrl);
  finish.searchParams.set('digest', blob.digest);
  const put = await fetch(finish, { method: 'PUT', body: blob.bytes.subarray(6000), headers: { 'content-range': '6000-9999' } });
  t.is(put.status, 201);
});

test('a final PUT whose digest does not match is 400 DIGEST_INVALID, and the session is gone', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(5000);
  const session = await startUpload(url, 'demo');
  const uploadUrl = at(url, session.headers.get('location'));
  t.is((await fetch(uploadUrl, { method: 'PATCH', body: blob.bytes })).status, 202);
  const finish = new URL(uploadUrl);
  finish.searchParams.set('digest', randomBlob(1).digest);
  const put = await fetch(finish, { method: 'PUT' });
  t.is(put.status, 400);
  t.deepEqual(await errorCodes(put), ['DIGEST_INVALID']);
  const status = await fetch(uploadUrl);
  t.is(status.status, 404);
  t.deepEqual(await errorCodes(status), ['BLOB_UPLOAD_UNKNOWN']);
});

test('a PUT without a digest is 400 DIGEST_INVALID and keeps the session', async (t) => {
  const { url } = await startEngineRegistry(t);
  const session = await startUpload(url, 'demo');
  const uploadUrl = at(url, session.headers.get('location'));
  const put = await fetch(uploadUrl, { method: 'PUT' });
  t.is(put.status, 400);
  t.deepEqual(await errorCodes(put), ['DIGEST_INVALID']);
  t.is((await fetch(uploadUrl)).status, 204);
});

test('DELETE cancels an upload: 204, then the session is unknown', async (t) => {
  const { url } = await startEngineRegistry(t);
  const session = await startUpload(url, 'demo');
  const uploadUrl = at(url, session.headers.get('location'));
  t.is((await fetch(uploadUrl, { method: 'PATCH', body: Buffer.alloc(100) })).status, 202);
  t.is((await fetch(uploadUrl, { method: 'DELETE' })).status, 204);
  const status = await fetch(uploadUrl);
  t.is(status.status, 404);
  t.deepEqual(await errorCodes(status), ['BLOB_UPLOAD_UNKNOWN']);
  const patch = await fetch(uploadUrl, { method: 'PATCH', body: Buffer.alloc(10) });
  t.is(patch.status, 404);
});

test('an upload is bound to its repository: its URL under another name is unknown', async (t) => {
  const { url } = await startEngineRegistry(t);
  const session = await startUpload(url, 'alpha');
  const uuid = session.headers.get('docker-upload-uuid');
  const elsewhere = await fetch(`${url}/v2/beta/blobs/uploads/${uuid}`);
  t.is(elsewhere.status, 404);
  t.deepEqual(await errorCodes(elsewhere), ['BLOB_UPLOAD_UNKNOWN']);
});

test('mount from a repository that links the blob answers 201 and links it', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(3000);
  await pushBlob(url, 'alpha', blob.bytes);
  const mount = await fetch(`${url}/v2/beta/blobs/uploads/?mount=${blob.digest}&from=alpha`, { method: 'POST' });
  t.is(mount.status, 201);
  t.is(mount.headers.get('location'), `/v2/beta/blobs/${blob.digest}`);
  t.is(mount.headers.get('docker-content-digest'), blob.digest);
  t.is((await fetch(`${url}/v2/beta/blobs/${blob.digest}`)).status, 200);
});

test('mount never reveals: a digest pushed to A cannot be mounted naming a repository that lacks it', async (t) => {
  const { url } = await startEngineRegistry(t);
  const blob = randomBlob(3000);
  await pushBlob(url, 'alpha', blob.bytes);
  // The store holds the blob, but "gamma" does not link it.
  t.is((await fetch(`${url}/v2/gamma/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
  for (const query of [`mount=${blob.digest}&from=gamma`, `mount=${blob.digest}`, `mount=${blob.digest}&from=Not_Valid`]) {
    const mount = await fetch(`${url}/v2/beta/blobs/uploads/?${query}`, { method: 'POST' });
    t.is(mount.status, 202, query);
    t.regex(mount.headers.get('location') ?? '', /^\/v2\/beta\/blobs\/uploads\//);
  }
  t.is((await fetch(`${url}/v2/beta/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
  // Answers for a digest nobody has look the same.
  const unknown = await fetch(`${url}/v2/beta/blobs/uploads/?mount=${randomBlob(5).digest}&from=gamma`, { method: 'POST' });
  t.is(unknown.status, 202);
});
