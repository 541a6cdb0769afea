import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, busyboxLayer, image, writeOciLayout, type Image } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { SERVER_SETUPS, type StoreFigures } from './support/strata-server.ts';
import { workspace } from './support/workspace.ts';
import test, { type ExecutionContext } from 'ava';

/** Pushes `images` with skopeo to a fresh registry of `setup`, then reads `strata stats`. */
async function storedAfterPushing(t: ExecutionContext, setupIndex: number, images: Image[]): Promise<StoreFigures> {
  const space = await workspace(t);
  const server = await (SERVER_SETUPS[setupIndex] as (typeof SERVER_SETUPS)[number]).start(t, space);
  const source = await space.dir('source');
  await writeOciLayout(source, images.map((img, i) => ({ tag: `v${i + 1}`, of: img })));
  const skopeo = await ContainersClient.create(space, 'skopeo', [server.host]);
  for (const [i] of images.entries()) await skopeo.skopeo(['copy', `oci:${source}:v${i + 1}`, `docker://${server.host}/team/app:v${i + 1}`]);
  return server.stats();
}

for (const [index, setup] of SERVER_SETUPS.entries()) {
  test(`${setup.name}: a second version of an app image stores less than one extra copy of its base; strata stats shows the dedup ratio`, async (t) => {
    await requireTools(t, 'skopeo', 'unshare', 'tar', 'busybox');
    const build = await workspace(t);
    const base = await busyboxLayer(build);
    const app = (version: string) =>
      buildLayer(build, [{ path: 'app/version', content: `${version}\n` }, { path: 'app/payload', content: Buffer.alloc(50_000, version.charCodeAt(1)) }]).then((top) =>
        image([base, top]),
      );
    const v1 = await app('v1');
    const v2 = await app('v2');

    const one = await storedAfterPushing(t, index, [v1]);
    const two = await storedAfterPushing(t, index, [v1, v2]);
    t.log(`base layer: ${base.gzip.length} bytes gzip, ${base.tar.length} tar`);
    t.log(`v1 alone: ${JSON.stringify(one)}`);
    t.log(`v1 + v2 (same base): ${JSON.stringify(two)}`);
    const pushed = [v1, v2].reduce((total, img) => total + img.config.length + img.manifest.length + img.layers.reduce((sum, layer) => sum + layer.gzip.length, 0), 0);
    t.log(`pushed ${pushed} bytes in two images, stored ${two.storedBytes}: ${(pushed / two.storedBytes).toFixed(2)}x`);
    t.true(two.storedBytes - one.storedBytes < base.gzip.length);
    t.true(two.blobs > one.blobs);
    t.true(Number.isFinite(two.dedupRatio) && two.dedupRatio > 0);
  });
}
