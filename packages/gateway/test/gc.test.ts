import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { StoreAdmin } from '@strata/cas';
import { isNotFound } from '@strata/errors';
import { LmdbMetadata, parseRetention, type RunningRegistry } from '@strata/gateway';
import { at, errorCodes, imageManifest, pushBlob, pushImage, pullsBitExact, putManifest, randomBlob, sha256, startEngineRegistry } from './support.ts';

async function storeHas(registry: RunningRegistry, digest: string): Promise<boolean> {
  try {
    await registry.store.stat(digest);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The embedded engine's admin role. */
function admin(registry: RunningRegistry): StoreAdmin {
  return registry.store as unknown as StoreAdmin;
}

function image(seed: string, layers: Buffer[]) {
  return imageManifest(Buffer.from(JSON.stringify({ architecture: 'amd64', seed })), layers);
}

test('gc deletes what nothing references and keeps every tagged image, index child and referrer pullable bit-exact', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 0 } });
  const base = randomBlob(200_000).bytes;
  const kept = image('kept', [base, randomBlob(300_000).bytes]);
  const dropped = image('dropped', [base, randomBlob(300_000).bytes]);
  t.is((await pushImage(registry.url, 'team/app', kept, 'v1')).status, 201);
  t.is((await pushImage(registry.url, 'team/app', dropped, 'v2')).status, 201);
  // An index over the kept image, and a signature referring to it.
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: kept.digest, size: kept.manifest.length }],
  }));
  t.is((await putManifest(registry.url, 'team/app', 'multi', index, 'application/vnd.oci.image.index.v1+json')).status, 201);
  const signature = imageManifest(Buffer.from('{}'), [randomBlob(1000).bytes], {
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: kept.digest, size: kept.manifest.length },
  }, 'application/vnd.example.signature');
  t.is((await pushImage(registry.url, 'team/app', signature, signature.digest)).status, 201);
  const stray = await pushBlob(registry.url, 'team/app', randomBlob(50_000).bytes);
  // v1 is retagged by digest only; deleting the manifest of v2 leaves its unique layer unreferenced.
  t.is((await fetch(`${registry.url}/v2/team/app/manifests/v1`, { method: 'DELETE' })).status, 202);
  t.is((await fetch(`${registry.url}/v2/team/app/manifests/${dropped.digest}`, { method: 'DELETE' })).status, 202);

  const report = await registry.lifecycle.collect();
  t.false(report.dryRun);
  // dropped's own layer and config, its manifest, and the stray blob; the base layer stays (kept uses it).
  t.is(report.blobsDeleted, 4);
  t.false(await storeHas(registry, sha256(dropped.layers[1]!)));
  t.false(await storeHas(registry, stray));
  t.true(await storeHas(registry, sha256(base)));
  t.true(report.store !== undefined);

  // The index keeps the untagged image; the signature follows its subject.
  t.true(await pullsBitExact(registry.url, 'team/app', kept.digest, kept));
  t.true(await pullsBitExact(registry.url, 'team/app', signature.digest, signature));
  const referrers = (await (await fetch(`${registry.url}/v2/team/app/referrers/${kept.digest}`)).json()) as { manifests: { digest: string }[] };
  t.deepEqual(referrers.manifests.map((entry) => entry.digest), [signature.digest]);
  t.is((await fetch(`${registry.url}/v2/team/app/manifests/${dropped.digest}`)).status, 404);
  t.true((await admin(registry).fsck()).ok);

  // Nothing left to collect: a second run deletes nothing.
  t.is((await registry.lifecycle.collect()).blobsDeleted, 0);
});

test('a dry run reports what it would remove and changes nothing', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 0 } });
  const dropped = image('dropped', [randomBlob(100_000).bytes]);
  t.is((await pushImage(registry.url, 'demo', dropped, 'v1')).status, 201);
  t.is((await fetch(`${registry.url}/v2/demo/manifests/${dropped.digest}`, { method: 'DELETE' })).status, 202);
  const before = await admin(registry).stats();

  const report = await registry.lifecycle.collect({ dryRun: true });
  t.true(report.dryRun);
  // Config, layer and the manifest itself (its link went with the DELETE).
  t.is(report.blobsDeleted, 3);
  t.is(report.linksRemoved, 2);
  t.true(await storeHas(registry, sha256(dropped.layers[0]!)));
  t.is((await fetch(`${registry.url}/v2/demo/blobs/${sha256(dropped.config)}`)).status, 200);
  const after = await admin(registry).stats();
  t.is(after.blobs, before.blobs);
  t.is(after.storedBytes, before.storedBytes);

  t.is((await registry.lifecycle.collect()).blobsDeleted, 3);
});

test('blobs linked within the grace period survive a collection; relinking on HEAD keeps them', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 60 * 60_000 } });
  const pending = await pushBlob(registry.url, 'demo', randomBlob(10_000).bytes);
  const report = await registry.lifecycle.collect();
  t.is(report.blobsDeleted, 0);
  t.is((await fetch(`${registry.url}/v2/demo/blobs/${pending}`, { method: 'HEAD' })).status, 200);
});

test('push during gc: a manifest PUT either succeeds with every blob pullable, or fails MANIFEST_BLOB_UNKNOWN', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 0 } });
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 12; round++) {
    const built = image(`race-${round}`, [randomBlob(40_000).bytes, randomBlob(40_000).bytes]);
    await pushBlob(registry.url, 'race', built.config);
    for (const layer of built.layers) await pushBlob(registry.url, 'race', layer);
    // The blobs are unreferenced until the manifest lands: the collection may take them first.
    // Rounds start one or the other first, a few milliseconds apart.
    const lead = (round % 4) * 2;
    const collectFirst = round % 2 === 0;
    const collecting = sleep(collectFirst ? 0 : lead).then(() => registry.lifecycle.collect());
    const put = await sleep(collectFirst ? lead : 0).then(() => putManifest(registry.url, 'race', `r${round}`, built.manifest));
    await collecting;
    if (put.status === 201) {
      accepted++;
      // A later collection must keep it too.
      t.true(await pullsBitExact(registry.url, 'race', `r${round}`, built), `round ${round}`);
      // A later collection keeps it too.
      await registry.lifecycle.collect();
      t.true(await pullsBitExact(registry.url, 'race', `r${round}`, built), `round ${round}, collected again`);
    } else {
      refused++;
      t.is(put.status, 400);
      t.deepEqual(await errorCodes(put), ['MANIFEST_BLOB_UNKNOWN']);
      t.is((await fetch(`${registry.url}/v2/race/manifests/r${round}`)).status, 404);
    }
  }
  t.is(accepted + refused, 12);
  t.log(`${accepted} manifests accepted, ${refused} refused`);
  t.true((await admin(registry).fsck()).ok);
});

test('retention keeps the last K tags of a pattern by push time and deletes expired untagged manifests', async (t) => {
  const retention = parseRetention(`
retention:
  - prefix: ci
    untaggedAfter: "0"
    keepTags:
      - match: "^pr-"
        last: 2
`);
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 0, retention: () => retention } });
  const images = [1, 2, 3, 4].map((n) => image(`pr-${n}`, [randomBlob(20_000).bytes]));
  for (const [n, built] of images.entries()) {
    t.is((await pushImage(registry.url, 'ci/app', built, `pr-${n + 1}`)).status, 201);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const stable = image('stable', [randomBlob(20_000).bytes]);
  t.is((await pushImage(registry.url, 'ci/app', stable, 'stable')).status, 201);
  // Another prefix has no rule: its untagged manifests stay.
  const other = image('other', [randomBlob(20_000).bytes]);
  t.is((await pushImage(registry.url, 'keep/app', other, other.digest)).status, 201);
  await new Promise((resolve) => setTimeout(resolve, 5));

  const report = await registry.lifecycle.collect();
  t.is(report.tagsDeleted, 2);
  t.is(report.manifestsDeleted, 2);
  const tags = (await (await fetch(`${registry.url}/v2/ci/app/tags/list`)).json()) as { tags: string[] };
  t.deepEqual(tags.tags, ['pr-3', 'pr-4', 'stable']);
  t.false(await storeHas(registry, sha256(images[0]!.layers[0]!)));
  t.true(await pullsBitExact(registry.url, 'ci/app', 'pr-4', images[3]!));
  t.true(await pullsBitExact(registry.url, 'ci/app', 'stable', stable));
  t.true(await pullsBitExact(registry.url, 'keep/app', other.digest, other));
});

test('idle upload sessions expire: their bytes are dropped and the session is unknown', async (t) => {
  const registry = await startEngineRegistry(t, { lifecycle: { gracePeriodMs: 0, uploadExpiryMs: 0 } });
  const session = await fetch(`${registry.url}/v2/demo/blobs/uploads/`, { method: 'POST' });
  const location = at(registry.url, session.headers.get('location'));
  t.is((await fetch(location, { method: 'PATCH', body: randomBlob(10_000).bytes })).status, 202);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const report = await registry.lifecycle.collect();
  t.is(report.uploadsExpired, 1);
  const status = await fetch(location);
  t.is(status.status, 404);
  t.deepEqual(await errorCodes(status), ['BLOB_UPLOAD_UNKNOWN']);
});

test('a metadata directory of format version 1 opens, migrated: tags get push times', async (t) => {
  const registry = await startEngineRegistry(t);
  const built = image('old', [randomBlob(1000).bytes]);
  t.is((await pushImage(registry.url, 'demo', built, 'v1')).status, 201);
  await registry.close();
  const dir = join(registry.dataDir, 'gateway');
  await writeFile(join(dir, 'FORMAT'), `${JSON.stringify({ format: 'strata-gateway', version: 1 })}\n`);

  const metadata = await LmdbMetadata.open(dir);
  t.teardown(() => metadata.close());
  const [record] = await metadata.listTagRecords('demo');
  t.is(record?.digest, built.digest);
  t.true((record?.pushedAt ?? 0) > 0);
  t.regex(await readFile(join(dir, 'FORMAT'), 'utf8'), /"version":2/);
});
