import test from 'ava';
import { createMemoryStore, withFaults } from '@strata/cas-testsuite';
import { errorCodes, pushBlob, randomBlob, startGatewayOver } from './support.ts';

test('the gateway works over the in-memory store', async (t) => {
  const gateway = await startGatewayOver(t, createMemoryStore());
  const blob = randomBlob(10_000);
  await pushBlob(gateway.url, 'demo', blob.bytes);
  const get = await fetch(`${gateway.url}/v2/demo/blobs/${blob.digest}`);
  t.true(Buffer.from(await get.arrayBuffer()).equals(blob.bytes));
});

test('store failures answer 5xx in the error envelope, and the gateway keeps serving', async (t) => {
  const inner = createMemoryStore();
  const store = withFaults(inner, [
    { kind: 'fail', op: 'stat', nth: 1, code: 'Internal' },
    { kind: 'fail', op: 'stat', nth: 2, code: 'Unavailable' },
    { kind: 'fail', op: 'writer', nth: 1, code: 'DataLoss' },
  ]);
  const gateway = await startGatewayOver(t, store);
  const url = gateway.url;
  const blob = randomBlob(5000);

  const failedPush = await fetch(`${url}/v2/demo/blobs/uploads/?digest=${blob.digest}`, { method: 'POST', body: blob.bytes });
  t.is(failedPush.status, 500);
  t.deepEqual(await errorCodes(failedPush), ['UNKNOWN']);
  await pushBlob(url, 'demo', blob.bytes);

  const internal = await fetch(`${url}/v2/demo/blobs/${blob.digest}`);
  t.is(internal.status, 500);
  t.deepEqual(await errorCodes(internal), ['UNKNOWN']);
  const unavailable = await fetch(`${url}/v2/demo/blobs/${blob.digest}`);
  t.is(unavailable.status, 503);
  t.truthy(unavailable.headers.get('retry-after'));
  t.deepEqual(await errorCodes(unavailable), ['UNAVAILABLE']);
  t.is((await fetch(`${url}/v2/demo/blobs/${blob.digest}`)).status, 200);
});

test('a read that fails midway cuts the connection instead of serving short content', async (t) => {
  const store = withFaults(createMemoryStore(), [{ kind: 'fail-read', nth: 1, afterBytes: 1000, code: 'DataLoss' }]);
  const gateway = await startGatewayOver(t, store);
  const blob = randomBlob(200_000);
  await pushBlob(gateway.url, 'demo', blob.bytes);
  const response = await fetch(`${gateway.url}/v2/demo/blobs/${blob.digest}`);
  t.is(response.status, 200);
  await t.throwsAsync(response.arrayBuffer());
  const again = await fetch(`${gateway.url}/v2/demo/blobs/${blob.digest}`);
  t.true(Buffer.from(await again.arrayBuffer()).equals(blob.bytes));
});

test('readyz is 503 while the store does not answer', async (t) => {
  const store = withFaults(createMemoryStore(), [{ kind: 'fail', op: 'stat', code: 'Unavailable' }]);
  const gateway = await startGatewayOver(t, store);
  const response = await fetch(`${gateway.url}/readyz`);
  t.is(response.status, 503);
  t.is(((await response.json()) as { status: string }).status, 'not ready');
});
