/**
 * Garbage collection with several registries over one PostgreSQL schema
 * and one store: one collection at a time across them, and pushes through
 * any of them ordered against the delete steps of a collection on another.
 */
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { openStore, type StoreAdmin } from '@strata/cas';
import { isAborted, isNotFound } from '@strata/errors';
import { PgMetadata, startRegistry, type LifecycleSettings, type RegistryGcReport, type RegistryStore, type RunningRegistry } from '@strata/gateway';
import { postgresForFile } from './postgres-server.ts';
import { errorCodes, imageManifest, pushBlob, pushImage, pullsBitExact, putManifest, randomBlob, silent, tempDir } from './support.ts';

const postgres = postgresForFile(test);

interface Pair {
  a: RunningRegistry;
  b: RunningRegistry;
  store: RegistryStore & StoreAdmin;
  metadataUrl: string;
}

/** Two registries over one fresh schema and one engine, which stays open until the test ends. */
async function startPair(t: ExecutionContext, lifecycle: { a?: LifecycleSettings; b?: LifecycleSettings } = {}): Promise<Pair> {
  const engine = await openStore(join(await tempDir(t), 'cas'), { cacheIngests: true });
  t.teardown(() => engine.close());
  const store = new Proxy(engine, {
    get(target, name) {
      if (name === 'close') return async () => {};
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as RegistryStore & StoreAdmin;
  const metadataUrl = `${postgres.url()}?schema=${postgres.freshSchema('gc')}`;
  const start = async (settings: LifecycleSettings | undefined): Promise<RunningRegistry> =>
    startRegistry({ dataDir: await tempDir(t), port: 0, logger: silent, store, metadata: metadataUrl, lifecycle: settings ?? { gracePeriodMs: 0 } });
  const [a, b] = await Promise.all([start(lifecycle.a), start(lifecycle.b)]);
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  return { a, b, store, metadataUrl };
}

async function storeHas(store: RegistryStore, digest: string): Promise<boolean> {
  try {
    await store.stat(digest);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function metric(registry: RunningRegistry, name: string): Promise<number> {
  const text = await (await fetch(`${registry.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

test('collections started on both registries at once: exactly one runs, the other is refused as Aborted', async (t) => {
  const { a, b, store } = await startPair(t);
  // Enough repositories that a collection outlasts the other's attempt to claim.
  const strays: string[] = [];
  for (let n = 0; n < 30; n++) strays.push(await pushBlob(a.url, `team/app-${n}`, randomBlob(2_000).bytes));
  for (let round = 0; round < 3; round++) {
    const outcomes = await Promise.allSettled([a.lifecycle.collect(), b.lifecycle.collect()]);
    const ran = outcomes.filter((outcome): outcome is PromiseFulfilledResult<RegistryGcReport> => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    t.is(ran.length, 1, `round ${round}`);
    t.is(refused.length, 1);
    t.true(isAborted(refused[0]!.reason));
    if (round === 0) t.is(ran[0]!.value.blobsDeleted, strays.length);
  }
  for (const digest of strays) t.false(await storeHas(store, digest));
  // Once nothing else collects, each runs.
  t.is((await a.lifecycle.collect()).blobsDeleted, 0);
  t.is((await b.lifecycle.collect()).blobsDeleted, 0);
});

test('a scheduled collection that finds another collecting is skipped, logged in the metrics, and runs once the claim is free', async (t) => {
  const { a, metadataUrl } = await startPair(t, { a: { gracePeriodMs: 0, gcIntervalMs: 30 } });
  // Held here as another gateway or `strata gc` would hold it.
  const metadata = await PgMetadata.open({ url: metadataUrl.replace(/\?schema=.*$/, ''), schema: new URL(metadataUrl).searchParams.get('schema')! });
  const guard = metadata.createCollectionGuard({ recentMs: 0 });
  t.teardown(async () => {
    await guard.close();
    await metadata.close();
  });
  // The scheduled rounds may be running: wait for one to end and claim between rounds.
  let release: (() => Promise<void>) | undefined;
  while (!(release = await guard.claim())) await sleep(5);
  const runsBefore = await metric(a, 'strata_gc_runs_total');
  while ((await metric(a, 'strata_gc_skipped_total')) < 3) await sleep(20);
  t.is(await metric(a, 'strata_gc_runs_total'), runsBefore);
  await release();
  while ((await metric(a, 'strata_gc_runs_total')) <= runsBefore) await sleep(20);
  t.pass();
});

test('push through one registry during a collection on the other: each manifest is accepted and pullable through both, or refused MANIFEST_BLOB_UNKNOWN', async (t) => {
  const { a, b, store } = await startPair(t);
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 16; round++) {
    const built = imageManifest(Buffer.from(JSON.stringify({ round })), [randomBlob(40_000).bytes, randomBlob(40_000).bytes]);
    await pushBlob(b.url, 'race', built.config);
    for (const layer of built.layers) await pushBlob(b.url, 'race', layer);
    // The blobs are unreferenced until the manifest lands, and the grace period is 0.
    const lead = (round % 4) * 2;
    const collectFirst = round % 2 === 0;
    const collecting = sleep(collectFirst ? 0 : lead).then(() => a.lifecycle.collect());
    const put = await sleep(collectFirst ? lead : 0).then(() => putManifest(b.url, 'race', `r${round}`, built.manifest));
    await collecting;
    if (put.status === 201) {
      accepted++;
      t.true(await pullsBitExact(a.url, 'race', `r${round}`, built), `round ${round}`);
      await b.lifecycle.collect();
      t.true(await pullsBitExact(b.url, 'race', `r${round}`, built), `round ${round}, collected again`);
    } else {
      refused++;
      t.is(put.status, 400);
      t.deepEqual(await errorCodes(put), ['MANIFEST_BLOB_UNKNOWN']);
      t.is((await fetch(`${a.url}/v2/race/manifests/r${round}`)).status, 404);
    }
  }
  t.log(`${accepted} manifests accepted, ${refused} refused`);
  t.true((await store.fsck()).ok);
});

test('an image deleted through one registry is collected by the other; tagged ones stay', async (t) => {
  const { a, b, store } = await startPair(t);
  const kept = imageManifest(Buffer.from('{"kept":1}'), [randomBlob(30_000).bytes]);
  const dropped = imageManifest(Buffer.from('{"dropped":1}'), [randomBlob(30_000).bytes]);
  t.is((await pushImage(a.url, 'team/app', kept, 'v1')).status, 201);
  t.is((await pushImage(a.url, 'team/app', dropped, 'v2')).status, 201);
  t.is((await fetch(`${a.url}/v2/team/app/manifests/${dropped.digest}`, { method: 'DELETE' })).status, 202);
  const report = await b.lifecycle.collect();
  // The manifest, its config and its layer.
  t.is(report.blobsDeleted, 3);
  t.false(await storeHas(store, dropped.digest));
  t.true(await pullsBitExact(a.url, 'team/app', 'v1', kept));
  t.true(await pullsBitExact(b.url, 'team/app', 'v1', kept));
});
