import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { curl } from './support/curl.ts';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST, sha256 } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

forEachServer('curl reaches every basic API point: base, uploads, blobs with Range, manifests by tag, tags, catalog', async (t, { server, workspace }) => {
  await requireTools(t, 'curl');
  const dir = await workspace.dir('curl');
  const url = server.url;

  const base = await curl(dir, [`${url}/v2/`]);
  t.is(base.status, 200);
  t.is(base.headers.get('docker-distribution-api-version'), 'registry/2.0');

  // A monolithic upload: POST ?digest= with the whole body.
  const layer = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const layerFile = join(dir, 'layer.bin');
  await writeFile(layerFile, layer);
  const layerDigest = sha256(layer);
  const monolithic = await curl(dir, ['-X', 'POST', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${layerFile}`, `${url}/v2/team/curl/blobs/uploads/?digest=${layerDigest}`]);
  t.is(monolithic.status, 201);
  t.is(monolithic.headers.get('docker-content-digest'), layerDigest);

  // A session: POST, PATCH with Content-Range, status GET, PUT ?digest=.
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const configFile = join(dir, 'config.json');
  await writeFile(configFile, config);
  const started = await curl(dir, ['-X', 'POST', `${url}/v2/team/curl/blobs/uploads/`]);
  t.is(started.status, 202);
  const session = new URL(started.headers.get('location') as string, url);
  const patched = await curl(dir, ['-X', 'PATCH', '-H', 'Content-Type: application/octet-stream', '-H', `Content-Range: 0-${config.length - 1}`, '--data-binary', `@${configFile}`, session.href]);
  t.is(patched.status, 202);
  t.is(patched.headers.get('range'), `0-${config.length - 1}`);
  const status = await curl(dir, [new URL(patched.headers.get('location') as string, url).href]);
  t.is(status.status, 204);
  const finishAt = new URL(patched.headers.get('location') as string, url);
  finishAt.searchParams.set('digest', sha256(config));
  const finished = await curl(dir, ['-X', 'PUT', finishAt.href]);
  t.is(finished.status, 201);

  const head = await curl(dir, ['--head', `${url}/v2/team/curl/blobs/${layerDigest}`]);
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), String(layer.length));
  const ranged = await curl(dir, ['-H', 'Range: bytes=100-199', `${url}/v2/team/curl/blobs/${layerDigest}`]);
  t.is(ranged.status, 206);
  t.is(ranged.headers.get('content-range'), `bytes 100-199/${layer.length}`);
  t.deepEqual(ranged.body, layer.subarray(100, 200));
  const whole = await curl(dir, [`${url}/v2/team/curl/blobs/${layerDigest}`]);
  t.deepEqual(whole.body, layer);

  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layerDigest, size: layer.length }],
    }),
  );
  const manifestFile = join(dir, 'manifest.json');
  await writeFile(manifestFile, manifest);
  for (const tag of ['v1', 'v2', 'v3']) {
    const put = await curl(dir, ['-X', 'PUT', '-H', `Content-Type: ${OCI_MANIFEST}`, '--data-binary', `@${manifestFile}`, `${url}/v2/team/curl/manifests/${tag}`]);
    t.is(put.status, 201);
    t.is(put.headers.get('docker-content-digest'), sha256(manifest));
  }
  const byTag = await curl(dir, ['-H', `Accept: ${OCI_MANIFEST}`, `${url}/v2/team/curl/manifests/v2`]);
  t.is(byTag.status, 200);
  t.is(byTag.headers.get('content-type'), OCI_MANIFEST);
  t.is(byTag.headers.get('docker-content-digest'), sha256(manifest));
  t.deepEqual(byTag.body, manifest);

  const tags = await curl(dir, [`${url}/v2/team/curl/tags/list`]);
  t.deepEqual(JSON.parse(tags.body.toString('utf8')), { name: 'team/curl', tags: ['v1', 'v2', 'v3'] });
  const page = await curl(dir, [`${url}/v2/team/curl/tags/list?n=2`]);
  t.deepEqual((JSON.parse(page.body.toString('utf8')) as { tags: string[] }).tags, ['v1', 'v2']);
  t.regex(page.headers.get('link') ?? '', /rel="next"/);

  const catalog = await curl(dir, [`${url}/v2/_catalog`]);
  t.true((JSON.parse(catalog.body.toString('utf8')) as { repositories: string[] }).repositories.includes('team/curl'));
  const unknown = await curl(dir, [`${url}/v2/team/curl/blobs/sha256:${'0'.repeat(64)}`]);
  t.is(unknown.status, 404);
  t.is((JSON.parse(unknown.body.toString('utf8')) as { errors: { code: string }[] }).errors[0]?.code, 'BLOB_UNKNOWN');
});
