import test from 'ava';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, busyboxLayer, image, sha256, writeOciLayout, type LayerFile } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { embeddedServer } from './support/strata-server.ts';
import { workspace } from './support/workspace.ts';

/** 80 text files of an app; `changed` gets other content. */
function appFiles(changed: number): LayerFile[] {
  return Array.from({ length: 80 }, (_, file) => ({
    path: `srv/app/module-${String(file).padStart(2, '0')}.js`,
    content: Array.from({ length: 120 }, (_, line) => `export const value${line} = ${file === changed ? line * 7919 : line * (file + 1)}; // module ${file}\n`).join(''),
  }));
}

test('embedded: with --expand-layers, skopeo pushes two app versions, the layers are expanded in the background, and pulls and ranged GETs give the pushed bytes, from the cache and rebuilt from chunks', async (t) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar', 'busybox');
  const space = await workspace(t);
  const server = await embeddedServer.start(t, space, { expandLayers: true });
  t.teardown(() => server.stop());
  const base = await busyboxLayer(space);
  const v1 = image([base, await buildLayer(space, appFiles(-1))]);
  const v2 = image([base, await buildLayer(space, appFiles(40))]);
  const source = await space.dir('source');
  await writeOciLayout(source, [{ tag: 'v1', of: v1 }, { tag: 'v2', of: v2 }]);
  const skopeo = await ContainersClient.create(space, 'skopeo', [server.host]);
  for (const tag of ['v1', 'v2']) await skopeo.skopeo(['copy', `oci:${source}:${tag}`, `docker://${server.host}/team/app:${tag}`]);

  // The three distinct layers are expanded after the pushes, off the request path.
  const layers = new Set([...v1.layers, ...v2.layers].map((layer) => layer.digest)).size;
  let expanded = 0;
  for (let i = 0; i < 600 && expanded < layers; i++) {
    expanded = (await server.metrics()).sum('strata_store_expanded_layers');
    if (expanded < layers) await sleep(200);
  }
  t.is(expanded, layers, 'every layer expanded');

  const pulled = join(space.root, 'pulled');
  await skopeo.skopeo(['copy', `docker://${server.host}/team/app:v2`, `oci:${pulled}:v2`]);
  for (const layer of v2.layers) {
    const bytes = await readFile(join(pulled, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
    t.true(bytes.equals(layer.gzip), `${layer.digest} pulled as pushed`);
  }
  const top = v2.layers[1]!;
  const ranged = await fetch(`${server.url}/v2/team/app/blobs/${top.digest}`, { headers: { range: 'bytes=100-4099' } });
  t.is(ranged.status, 206);
  t.true(Buffer.from(await ranged.arrayBuffer()).equals(top.gzip.subarray(100, 4100)));
  const whole = Buffer.from(await (await fetch(`${server.url}/v2/team/app/blobs/${top.digest}`)).arrayBuffer());
  t.is(sha256(whole), top.digest);

  const stats = await server.stats();
  t.is(stats.expandedBlobs, layers);

  // The same data directory with its hot cache emptied: every layer is rebuilt from its chunks on the way out.
  await rm(space.path('strata-data', 'cas', 'cache'), { recursive: true, force: true });
  const cold = await embeddedServer.start(t, space, { expandLayers: true });
  t.teardown(() => cold.stop());
  const rebuilt = join(space.root, 'rebuilt');
  const coldSkopeo = await ContainersClient.create(space, 'skopeo', [cold.host]);
  await coldSkopeo.skopeo(['copy', `docker://${cold.host}/team/app:v1`, `oci:${rebuilt}:v1`]);
  for (const layer of v1.layers) {
    const bytes = await readFile(join(rebuilt, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
    t.true(bytes.equals(layer.gzip), `${layer.digest} rebuilt as pushed`);
  }
  const middle = await fetch(`${cold.url}/v2/team/app/blobs/${top.digest}`, { headers: { range: `bytes=${top.gzip.length >> 1}-` } });
  t.is(middle.status, 206);
  t.true(Buffer.from(await middle.arrayBuffer()).equals(top.gzip.subarray(top.gzip.length >> 1)));
});
