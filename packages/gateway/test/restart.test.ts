import test from 'ava';
import { at, randomBlob, startEngineRegistry } from './support.ts';

test('an upload in progress survives a restart of the registry and resumes where it stopped', async (t) => {
  const first = await startEngineRegistry(t);
  const blob = randomBlob(150_000);
  const session = await fetch(`${first.url}/v2/demo/blobs/uploads/`, { method: 'POST' });
  const path = session.headers.get('location');
  const chunk = await fetch(at(first.url, path), { method: 'PATCH', body: blob.bytes.subarray(0, 100_000), headers: { 'content-range': '0-99999' } });
  t.is(chunk.status, 202);
  await first.close();

  const second = await startEngineRegistry(t, { dataDir: first.dataDir });
  const status = await fetch(at(second.url, path));
  t.is(status.status, 204);
  t.is(status.headers.get('range'), '0-99999');
  const rest = await fetch(at(second.url, status.headers.get('location')), {
    method: 'PATCH',
    body: blob.bytes.subarray(100_000),
    headers: { 'content-range': `100000-${blob.bytes.length - 1}` },
  });
  t.is(rest.status, 202);
  const finish = new URL(at(second.url, rest.headers.get('location')));
  finish.searchParams.set('digest', blob.digest);
  t.is((await fetch(finish, { method: 'PUT' })).status, 201);
  const get = await fetch(`${second.url}/v2/demo/blobs/${blob.digest}`);
  t.true(Buffer.from(await get.arrayBuffer()).equals(blob.bytes));
});
