import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, busyboxLayer, image, imageIndex, sha256, writeOciLayout, OCI_INDEX, type Image } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

interface LayoutIndex {
  manifests: { digest: string; mediaType: string }[];
}

async function layoutBlobs(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`);
}

/** Every blob in the pulled layout hashes to its name, and the image's blobs are all there. */
async function assertHolds(t: import('ava').ExecutionContext, dir: string, images: Image[]): Promise<void> {
  const blobs = await layoutBlobs(dir);
  for (const img of images) {
    for (const digest of [img.digest, sha256(img.config), ...img.layers.map((layer) => layer.digest)]) t.true(blobs.includes(digest), digest);
  }
  for (const digest of blobs) t.is(sha256(await readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)))), digest);
}

forEachServer('skopeo copies a multi-layer image into strata and back, digests unchanged', async (t, { server, workspace }) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const app = image([
    await busyboxLayer(workspace),
    await buildLayer(workspace, [{ path: 'etc/app/config.json', content: '{"greeting":"hello"}\n' }]),
    await buildLayer(workspace, [{ path: 'srv/app/data.bin', content: Buffer.alloc(200_000, 7) }]),
  ]);
  const source = await workspace.dir('source');
  await writeOciLayout(source, [{ tag: 'v1', of: app }]);
  const skopeo = await ContainersClient.create(workspace, 'skopeo', [server.host]);

  await skopeo.skopeo(['copy', `oci:${source}:v1`, `docker://${server.host}/team/app:v1`]);
  const raw = await skopeo.skopeo(['inspect', '--raw', `docker://${server.host}/team/app:v1`]);
  t.is(sha256(Buffer.from(raw.stdout)), app.digest);

  const pulled = join(workspace.root, 'pulled');
  await skopeo.skopeo(['copy', `docker://${server.host}/team/app:v1`, `oci:${pulled}:v1`]);
  const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as LayoutIndex;
  t.deepEqual(index.manifests.map((m) => m.digest), [app.digest]);
  await assertHolds(t, pulled, [app]);
});

forEachServer('skopeo copy --all pushes and pulls a two-platform image index', async (t, { server, workspace }) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const base = await busyboxLayer(workspace);
  const amd64 = image([base, await buildLayer(workspace, [{ path: 'arch', content: 'amd64\n' }])]);
  const arm64 = image([await buildLayer(workspace, [{ path: 'arch', content: 'arm64\n' }])], { architecture: 'arm64', os: 'linux', variant: 'v8' });
  const multi = imageIndex([amd64, arm64]);
  const source = await workspace.dir('source');
  await writeOciLayout(source, [{ tag: 'multi', of: multi }]);
  const skopeo = await ContainersClient.create(workspace, 'skopeo', [server.host]);

  await skopeo.skopeo(['copy', '--all', `oci:${source}:multi`, `docker://${server.host}/team/multi:v1`]);
  const response = await fetch(`${server.url}/v2/team/multi/manifests/v1`, { headers: { accept: OCI_INDEX } });
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), OCI_INDEX);
  t.is(response.headers.get('docker-content-digest'), multi.digest);
  t.is(sha256(Buffer.from(await response.arrayBuffer())), multi.digest);

  const pulled = join(workspace.root, 'pulled');
  await skopeo.skopeo(['copy', '--all', `docker://${server.host}/team/multi:v1`, `oci:${pulled}:v1`]);
  const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as LayoutIndex;
  t.deepEqual(index.manifests.map((m) => m.digest), [multi.digest]);
  await assertHolds(t, pulled, [amd64, arm64]);

  // Without --all, skopeo picks the platform it is asked for out of the index.
  const armOnly = join(workspace.root, 'arm-only');
  await skopeo.skopeo(['copy', '--override-arch', 'arm64', '--override-variant', 'v8', `docker://${server.host}/team/multi:v1`, `oci:${armOnly}:v1`]);
  const armIndex = JSON.parse(await readFile(join(armOnly, 'index.json'), 'utf8')) as LayoutIndex;
  t.deepEqual(armIndex.manifests.map((m) => m.digest), [arm64.digest]);
});

forEachServer('skopeo pushes a second image sharing base layers without sending the base again', async (t, { server, workspace }) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const base = await busyboxLayer(workspace);
  const v1 = image([base, await buildLayer(workspace, [{ path: 'app/version', content: 'v1\n' }])]);
  const v2 = image([base, await buildLayer(workspace, [{ path: 'app/version', content: 'v2\n' }])]);
  const source = await workspace.dir('source');
  await writeOciLayout(source, [
    { tag: 'v1', of: v1 },
    { tag: 'v2', of: v2 },
  ]);
  const skopeo = await ContainersClient.create(workspace, 'skopeo', [server.host]);

  const before = (await server.metrics()).uploadedBytes();
  await skopeo.skopeo(['copy', `oci:${source}:v1`, `docker://${server.host}/team/app:v1`]);
  const afterFirst = (await server.metrics()).uploadedBytes();
  t.true(afterFirst - before >= base.gzip.length, 'the first push sends the base');

  // Same repository: the base is already linked, so skopeo's HEAD finds it and skips it.
  await skopeo.skopeo(['copy', `oci:${source}:v2`, `docker://${server.host}/team/app:v2`]);
  const afterSameRepository = (await server.metrics()).uploadedBytes();
  t.log(`same repository: ${afterSameRepository - afterFirst} bytes uploaded, base is ${base.gzip.length}`);
  t.true(afterSameRepository - afterFirst < base.gzip.length);

  // Another repository: skopeo remembers where it pushed the base and mounts it from there (201 to the POST).
  const mountsBefore = (await server.metrics()).sum('strata_http_requests_total', { route: 'upload.start', status: '201' });
  await skopeo.skopeo(['copy', `oci:${source}:v2`, `docker://${server.host}/team/other:v2`]);
  const afterOtherRepository = (await server.metrics()).uploadedBytes();
  t.log(`other repository: ${afterOtherRepository - afterSameRepository} bytes uploaded`);
  t.true(afterOtherRepository - afterSameRepository < base.gzip.length);
  t.true((await server.metrics()).sum('strata_http_requests_total', { route: 'upload.start', status: '201' }) > mountsBefore);

  const head = await fetch(`${server.url}/v2/team/other/blobs/${base.digest}`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(Number(head.headers.get('content-length')), base.gzip.length);
  const pulled = join(workspace.root, 'pulled');
  await skopeo.skopeo(['copy', `docker://${server.host}/team/other:v2`, `oci:${pulled}:v2`]);
  await assertHolds(t, pulled, [v2]);
});
