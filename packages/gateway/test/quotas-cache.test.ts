import test from 'ava';
import { join } from 'node:path';
import { openStore, type StoreAdmin } from '@strata/cas';
import { parseQuotas, type RunningRegistry } from '@strata/gateway';
import { errorCodes, imageManifest, pushBlob, pushImage, pullsBitExact, putManifest, randomBlob, sha256, startEngineRegistry, tempDir } from './support.ts';

function admin(registry: RunningRegistry): StoreAdmin {
  return registry.store as unknown as StoreAdmin;
}

async function pushRaw(base: string, repository: string, bytes: Buffer): Promise<Response> {
  return fetch(`${base}/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, { method: 'POST', body: bytes });
}

test('a push past a logical quota is 403 DENIED; other prefixes and shared blobs are not held back', async (t) => {
  const quotas = parseQuotas(`
quotas:
  - prefix: team
    logical: 1MiB
`);
  const registry = await startEngineRegistry(t, { quotas: () => quotas });
  const first = randomBlob(600_000).bytes;
  t.is((await pushRaw(registry.url, 'team/a', first)).status, 201);
  const denied = await pushRaw(registry.url, 'team/b', randomBlob(600_000).bytes);
  t.is(denied.status, 403);
  t.deepEqual(await errorCodes(denied), ['DENIED']);
  // Outside the prefix: no quota.
  t.is((await pushRaw(registry.url, 'other', randomBlob(600_000).bytes)).status, 201);
  // Pushing the same blob again into the same repository adds nothing.
  t.is((await pushRaw(registry.url, 'team/a', first)).status, 201);

  // A chunked upload is checked at its final PUT.
  const session = await fetch(`${registry.url}/v2/team/a/blobs/uploads/`, { method: 'POST' });
  const big = randomBlob(500_000);
  const finish = new URL(session.headers.get('location')!, registry.url);
  finish.searchParams.set('digest', big.digest);
  const refused = await fetch(finish, { method: 'PUT', body: big.bytes });
  t.is(refused.status, 403);
  t.deepEqual(await errorCodes(refused), ['DENIED']);
  t.is((await fetch(`${registry.url}/v2/team/a/blobs/${big.digest}`, { method: 'HEAD' })).status, 404);
});

test('stored quotas count a blob once per prefix; a manifest that would pass the limit is DENIED', async (t) => {
  const quotas = parseQuotas(`
quotas:
  - prefix: team
    stored: 700KiB
`);
  const registry = await startEngineRegistry(t, { quotas: () => quotas });
  const layer = randomBlob(690_000).bytes;
  const config = Buffer.from('{}');
  t.is((await pushRaw(registry.url, 'team/a', layer)).status, 201);
  // The same blob in a second repository of the prefix costs no stored bytes.
  t.is((await pushRaw(registry.url, 'team/b', layer)).status, 201);
  t.is((await pushRaw(registry.url, 'team/a', config)).status, 201);
  // The manifest itself takes the prefix past 700 KiB.
  const padded = imageManifest(config, [layer], { annotations: { padding: 'x'.repeat(30_000) } });
  const put = await putManifest(registry.url, 'team/a', 'v1', padded.manifest);
  t.is(put.status, 403);
  t.deepEqual(await errorCodes(put), ['DENIED']);
  const small = imageManifest(config, [layer]);
  t.is((await putManifest(registry.url, 'team/a', 'v1', small.manifest)).status, 201);
});

test('build-cache mode keeps stored bytes within the budget, evicting least recently pulled images first', async (t) => {
  const budget = 12 * 1024 * 1024;
  const dataDir = await tempDir(t);
  // Small packs: only sealed packs are compacted, and a build cache's store is far larger than one pack.
  const store = await openStore(join(dataDir, 'cas'), { targetPackBytes: 1024 * 1024, cacheIngests: true });
  const registry = await startEngineRegistry(t, {
    dataDir,
    store,
    lifecycle: { gracePeriodMs: 0, cacheBudgetBytes: budget, evictionDebounceMs: 60_000, evictionIntervalMs: 3_600_000 },
  });
  const images = Array.from({ length: 10 }, (_, n) => imageManifest(Buffer.from(`{"n":${n}}`), [randomBlob(1_500_000).bytes, randomBlob(500_000).bytes]));
  for (const [n, built] of images.entries()) {
    t.is((await pushImage(registry.url, 'cache/app', built, `b${n}`)).status, 201);
    // The oldest pushes are pulled again: they are the ones in use.
    if (n >= 2) {
      t.is((await fetch(`${registry.url}/v2/cache/app/manifests/b0`)).status, 200);
      t.is((await fetch(`${registry.url}/v2/cache/app/manifests/b1`)).status, 200);
    }
  }
  const before = await admin(registry).stats();
  t.true(before.storedBytes > budget);

  const report = await registry.lifecycle.evict();
  const after = await admin(registry).stats();
  t.log(`stored ${before.storedBytes} -> ${after.storedBytes} bytes, budget ${budget}; ${report?.imagesEvicted} images evicted in ${report?.rounds} rounds`);
  t.true(after.storedBytes <= budget * 1.05);
  // Images are evicted whole: the store lands below the budget by less than one image.
  t.true(after.storedBytes >= budget * 0.8);
  t.true(await pullsBitExact(registry.url, 'cache/app', 'b0', images[0]!));
  t.true(await pullsBitExact(registry.url, 'cache/app', 'b1', images[1]!));
  t.true(await pullsBitExact(registry.url, 'cache/app', 'b9', images[9]!));
  // The evicted ones are gone whole: no tag, no manifest.
  t.is((await fetch(`${registry.url}/v2/cache/app/manifests/b2`)).status, 404);
  // Every manifest still served has all of its blobs.
  const tags = (await (await fetch(`${registry.url}/v2/cache/app/tags/list`)).json()) as { tags: string[] };
  for (const tag of tags.tags) {
    const n = Number(tag.slice(1));
    t.true(await pullsBitExact(registry.url, 'cache/app', tag, images[n]!), tag);
  }
  t.true((await admin(registry).fsck()).ok);
});

test('blobs pushed ahead of their manifest are kept while pushes happen during eviction', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 60 * 60_000, cacheBudgetBytes: 1 } });
  const pending = await pushBlob(registry.url, 'cache/app', randomBlob(100_000).bytes);
  await registry.lifecycle.evict();
  t.is((await fetch(`${registry.url}/v2/cache/app/blobs/${pending}`, { method: 'HEAD' })).status, 200);
});
