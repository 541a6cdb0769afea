import test from 'ava';
import { at, errorCodes, startEngineRegistry } from './support.ts';

test('GET /v2/ answers 200 with the API version header', async (t) => {
  const { url } = await startEngineRegistry(t);
  const response = await fetch(`${url}/v2/`);
  t.is(response.status, 200);
  t.is(response.headers.get('docker-distribution-api-version'), 'registry/2.0');
  t.deepEqual(await response.json(), {});
  const head = await fetch(`${url}/v2`, { method: 'HEAD' });
  t.is(head.status, 200);
});

test('unknown paths answer 404 and wrong methods 405, in the error envelope', async (t) => {
  const { url } = await startEngineRegistry(t);
  const missing = await fetch(`${url}/nothing/here`);
  t.is(missing.status, 404);
  t.is((await errorCodes(missing)).length, 1);
  const wrongMethod = await fetch(`${url}/v2/_catalog`, { method: 'DELETE' });
  t.is(wrongMethod.status, 405);
  t.deepEqual(await errorCodes(wrongMethod), ['UNSUPPORTED']);
});

test('healthz and readyz answer 200 while serving', async (t) => {
  const registry = await startEngineRegistry(t);
  t.is((await fetch(`${registry.url}/healthz`)).status, 200);
  const ready = await fetch(`${registry.url}/readyz`);
  t.is(ready.status, 200);
  t.deepEqual(await ready.json(), { status: 'ready' });
});

test('graceful shutdown: an upload in flight finishes, then new connections are refused', async (t) => {
  const registry = await startEngineRegistry(t);
  const started = await fetch(`${registry.url}/v2/demo/blobs/uploads/`, { method: 'POST' });
  t.is(started.status, 202);
  let push!: (piece: Uint8Array | null) => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      push = (piece) => (piece ? controller.enqueue(piece) : controller.close());
    },
  });
  push(Buffer.alloc(1000, 1));
  const patch = fetch(at(registry.url, started.headers.get('location')), {
    method: 'PATCH',
    body,
    duplex: 'half',
    headers: { 'content-type': 'application/octet-stream' },
  } as RequestInit);
  // Shutdown begins once the gateway is writing the first bytes into the store.
  const ref = `upload-${started.headers.get('docker-upload-uuid')}`;
  while ((await registry.store.status(ref).catch(() => undefined))?.offset !== 1000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const closed = registry.gateway.close({ deadlineMs: 30_000 });
  push(Buffer.alloc(1000, 2));
  push(null);
  const answer = await patch;
  t.is(answer.status, 202);
  t.is(answer.headers.get('range'), '0-1999');
  await closed;
  await t.throwsAsync(fetch(`${registry.url}/v2/`));
});

test('/metrics exposes requests by route and status, bytes, upload durations and the dedup ratio', async (t) => {
  const { url } = await startEngineRegistry(t);
  const bytes = Buffer.from('metrics blob');
  const { sha256 } = await import('./support.ts');
  const digest = sha256(bytes);
  t.is((await fetch(`${url}/v2/demo/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes })).status, 201);
  t.is((await fetch(`${url}/v2/demo/blobs/${digest}`)).status, 200);
  const response = await fetch(`${url}/metrics`);
  t.is(response.status, 200);
  const text = await response.text();
  t.regex(text, /strata_http_requests_total\{route="blob",method="GET",status="200"\} 1/);
  t.regex(text, /strata_http_requests_total\{route="upload.start",method="POST",status="201"\} 1/);
  t.regex(text, /strata_http_sent_bytes_total\{route="blob"\} \d+/);
  t.regex(text, /strata_http_received_bytes_total\{route="upload.start"\} \d+/);
  t.regex(text, /strata_upload_duration_seconds_count 1/);
  t.regex(text, /strata_store_dedup_ratio \d/);
  t.regex(text, /strata_store_stored_bytes [1-9]\d*/);
  t.regex(text, /strata_store_expanded_layers 0/);
});

test('received bytes count a small body that arrived with the headers', async (t) => {
  const { url } = await startEngineRegistry(t);
  const { sha256 } = await import('./support.ts');
  const received = async (): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(/strata_http_received_bytes_total\{route="upload.start"\} (\d+)/.exec(text)?.[1] ?? 0);
  };
  const bytes = Buffer.alloc(3000, 1);
  t.is((await fetch(`${url}/v2/demo/blobs/uploads/?digest=${sha256(bytes)}`, { method: 'POST', body: bytes })).status, 201);
  const afterFirst = await received();
  t.true(afterFirst > bytes.length);
  // A second request on the same keep-alive connection counts its own bytes, not the first one's again.
  const other = Buffer.alloc(3000, 2);
  t.is((await fetch(`${url}/v2/demo/blobs/uploads/?digest=${sha256(other)}`, { method: 'POST', body: other })).status, 201);
  const afterSecond = await received();
  t.true(afterSecond - afterFirst > other.length);
  t.true(afterSecond - afterFirst < 2 * other.length);
});
