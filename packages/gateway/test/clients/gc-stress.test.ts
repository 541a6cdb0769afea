import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { openStore, type StoreAdmin } from '@strata/cas';
import type { RegistryGcReport } from '@strata/gateway';
import { imageManifest, pushImage, pullsBitExact, randomBlob, startEngineRegistry, tempDir, type BuiltImage } from '../support.ts';
import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, image, sha256, writeOciLayout, type Image } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { workspace } from './support/workspace.ts';

const CLIENTS = 4;
const IMAGES_PER_CLIENT = 40;
const SKOPEO_IMAGES = 3;
const GRACE_MS = 2_000;

/**
 * Issue 8's done-when: several clients push and delete images while
 * garbage collection runs in a loop; afterwards every tagged image pulls
 * back bit-exact, fsck is clean and the reclaimed space is reported.
 * Bounded by counts, not by time.
 */
test('concurrent pushes and deletes while gc runs in a loop: every tagged image pulls back bit-exact, fsck clean', async (t) => {
  t.timeout(10 * 60_000);
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  // A grace period shorter than the run: images deleted early are collected
  // during it, while a push's blobs stay safe until its manifest arrives.
  // Small packs, so that compaction has sealed packs to give back.
  const dataDir = await tempDir(t);
  const store = await openStore(join(dataDir, 'cas'), { targetPackBytes: 2 * 1024 * 1024, cacheIngests: true });
  const registry = await startEngineRegistry(t, { dataDir, store, lifecycle: { gracePeriodMs: GRACE_MS } });
  const space = await workspace(t);
  const shared = randomBlob(400_000).bytes;

  let pushing = true;
  const reports: RegistryGcReport[] = [];
  const collector = (async () => {
    while (pushing) reports.push(await registry.lifecycle.collect());
  })();

  const kept = new Map<string, { repository: string; tag: string; built: BuiltImage }>();
  const refused: string[] = [];
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    const repository = `stress/client-${client}`;
    for (let n = 0; n < IMAGES_PER_CLIENT; n++) {
      const built = imageManifest(Buffer.from(JSON.stringify({ client, n })), [shared, randomBlob(300_000 + n * 1000).bytes]);
      const tag = `v${n}`;
      const put = await pushImage(registry.url, repository, built, tag);
      if (put.status !== 201) {
        // Only the race with a collection may refuse a push, and only this way.
        const body = (await put.json()) as { errors: { code: string }[] };
        t.deepEqual(body.errors.map((error) => error.code), ['MANIFEST_BLOB_UNKNOWN']);
        refused.push(`${repository}:${tag}`);
        continue;
      }
      // Every third image is deleted again; the others stay tagged.
      if (n % 3 === 2) {
        t.is((await fetch(`${registry.url}/v2/${repository}/manifests/${built.digest}`, { method: 'DELETE' })).status, 202);
      } else {
        kept.set(`${repository}:${tag}`, { repository, tag, built });
      }
    }
  });

  const skopeo = await ContainersClient.create(space, 'skopeo', [new URL(registry.url).host]);
  const pushedBySkopeo: { tag: string; of: Image }[] = [];
  let skopeoRetries = 0;
  const skopeoPushes = (async () => {
    const source = await space.dir('source');
    for (let n = 0; n < SKOPEO_IMAGES; n++) {
      const img = image([await buildLayer(space, [{ path: `srv/${n}.bin`, content: randomBlob(120_000).bytes }])]);
      await writeOciLayout(source, [{ tag: `s${n}`, of: img }]);
      // Should a push outlast the grace period, a collection may take a blob
      // between its upload and the manifest: skopeo then fails as the spec says, and pushing again succeeds.
      for (let attempt = 1; ; attempt++) {
        try {
          await skopeo.skopeo(['copy', `oci:${source}:s${n}`, `docker://${new URL(registry.url).host}/stress/skopeo:s${n}`]);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
          skopeoRetries++;
        }
      }
      pushedBySkopeo.push({ tag: `s${n}`, of: img });
    }
  })();

  await Promise.all([...clients, skopeoPushes]);
  pushing = false;
  await collector;
  const final = await registry.lifecycle.collect();
  reports.push(final);

  for (const { repository, tag, built } of kept.values()) {
    t.true(await pullsBitExact(registry.url, repository, tag, built), `${repository}:${tag}`);
  }
  const pulled = join(space.root, 'pulled');
  for (const { tag, of } of pushedBySkopeo) {
    await skopeo.skopeo(['copy', `docker://${new URL(registry.url).host}/stress/skopeo:${tag}`, `oci:${pulled}:${tag}`]);
    for (const digest of [of.digest, sha256(of.config), ...of.layers.map((layer) => layer.digest)]) {
      const bytes = await readFile(join(pulled, 'blobs', 'sha256', digest.slice('sha256:'.length)));
      t.is(sha256(bytes), digest);
    }
  }
  const fsck = await (registry.store as unknown as StoreAdmin).fsck();
  t.true(fsck.ok, JSON.stringify(fsck.damage.slice(0, 5)));

  const blobsDeleted = reports.reduce((sum, report) => sum + report.blobsDeleted, 0);
  const bytesReclaimed = reports.reduce((sum, report) => sum + report.bytesReclaimed, 0);
  const blobBytes = reports.reduce((sum, report) => sum + report.blobBytesDeleted, 0);
  t.true(blobsDeleted > 0);
  t.true(bytesReclaimed > 0);
  t.log(
    `${reports.length} collections; ${kept.size} images kept, ${refused.length} pushes refused (MANIFEST_BLOB_UNKNOWN), ${skopeoRetries} skopeo pushes retried; ` +
      `${blobsDeleted} blobs deleted (${blobBytes} bytes), ${bytesReclaimed} bytes reclaimed on disk`,
  );
});
