import test from 'ava';
import { errorCodes, imageManifest, pushBlob, pushImage, putManifest, randomBlob, sha256, startEngineRegistry } from './support.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

function someImage(extra: Record<string, unknown> = {}, configMediaType?: string) {
  return imageManifest(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', r: Math.random() })), [randomBlob(4000).bytes, randomBlob(5000).bytes], extra, configMediaType);
}

test('PUT by tag, then GET and HEAD by tag and by digest with Docker-Content-Digest and Content-Type', async (t) => {
  const { url } = await startEngineRegistry(t);
  const image = someImage();
  const put = await pushImage(url, 'team/app', image, 'v1');
  t.is(put.status, 201);
  t.is(put.headers.get('location'), `/v2/team/app/manifests/${image.digest}`);
  t.is(put.headers.get('docker-content-digest'), image.digest);
  for (const reference of ['v1', image.digest]) {
    const get = await fetch(`${url}/v2/team/app/manifests/${reference}`, { headers: { accept: OCI_MANIFEST } });
    t.is(get.status, 200);
    t.is(get.headers.get('content-type'), OCI_MANIFEST);
    t.is(get.headers.get('docker-content-digest'), image.digest);
    t.true(Buffer.from(await get.arrayBuffer()).equals(image.manifest));
    const head = await fetch(`${url}/v2/team/app/manifests/${reference}`, { method: 'HEAD' });
    t.is(head.status, 200);
    t.is(head.headers.get('content-length'), String(image.manifest.length));
    t.is(head.headers.get('docker-content-digest'), image.digest);
  }
  const missing = await fetch(`${url}/v2/team/app/manifests/nope`);
  t.is(missing.status, 404);
  t.deepEqual(await errorCodes(missing), ['MANIFEST_UNKNOWN']);
});

test('Docker v2 schema 2 manifests and manifest lists, and OCI indexes, keep their media types', async (t) => {
  const { url } = await startEngineRegistry(t);
  const config = Buffer.from('{"docker":true}');
  const layer = randomBlob(2000).bytes;
  await pushBlob(url, 'demo', config);
  await pushBlob(url, 'demo', layer);
  const docker = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256(layer), size: layer.length }],
  }));
  t.is((await putManifest(url, 'demo', 'docker', docker, DOCKER_MANIFEST)).status, 201);
  const list = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_LIST,
    manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256(docker), size: docker.length, platform: { architecture: 'amd64', os: 'linux' } }],
  }));
  t.is((await putManifest(url, 'demo', 'list', list, DOCKER_LIST)).status, 201);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256(docker), size: docker.length }],
  }));
  t.is((await putManifest(url, 'demo', 'index', index, OCI_INDEX)).status, 201);
  t.is((await fetch(`${url}/v2/demo/manifests/docker`)).headers.get('content-type'), DOCKER_MANIFEST);
  t.is((await fetch(`${url}/v2/demo/manifests/list`)).headers.get('content-type'), DOCKER_LIST);
  t.is((await fetch(`${url}/v2/demo/manifests/index`)).headers.get('content-type'), OCI_INDEX);
});

test('artifacts: any config media type, artifactType, and a manifest with no layers', async (t) => {
  const { url } = await startEngineRegistry(t);
  const cache = someImage({}, 'application/vnd.buildkit.cacheconfig.v0');
  t.is((await pushImage(url, 'cache', cache, 'buildcache')).status, 201);
  const empty = Buffer.from('{}');
  await pushBlob(url, 'cache', empty);
  const artifact = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.example.sbom+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
    layers: [],
  }));
  t.is((await putManifest(url, 'cache', sha256(artifact), artifact)).status, 201);
});

test('a manifest referencing a blob the repository lacks is 400 MANIFEST_BLOB_UNKNOWN; an index with a missing child too', async (t) => {
  const { url } = await startEngineRegistry(t);
  const image = someImage();
  await pushBlob(url, 'demo', image.config);
  await pushBlob(url, 'demo', image.layers[0]!);
  // The second layer exists in another repository only.
  await pushBlob(url, 'other', image.layers[1]!);
  const put = await putManifest(url, 'demo', 'v1', image.manifest);
  t.is(put.status, 400);
  t.deepEqual(await errorCodes(put), ['MANIFEST_BLOB_UNKNOWN']);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{ mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length }],
  }));
  const putIndex = await putManifest(url, 'demo', 'multi', index, OCI_INDEX);
  t.is(putIndex.status, 400);
  t.deepEqual(await errorCodes(putIndex), ['MANIFEST_BLOB_UNKNOWN']);
});

test('invalid manifests are 400 MANIFEST_INVALID; a digest reference that does not match is 400 DIGEST_INVALID', async (t) => {
  const { url } = await startEngineRegistry(t);
  for (const body of ['not json', '[]', '{"schemaVersion":1}', JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: 'x' } })]) {
    const put = await putManifest(url, 'demo', 'bad', Buffer.from(body));
    t.is(put.status, 400, body);
    t.deepEqual(await errorCodes(put), ['MANIFEST_INVALID']);
  }
  const image = someImage();
  await pushImage(url, 'demo', image, 'ok');
  const wrong = await putManifest(url, 'demo', sha256(Buffer.from('other')), image.manifest);
  t.is(wrong.status, 400);
  t.deepEqual(await errorCodes(wrong), ['DIGEST_INVALID']);
  const badTag = await putManifest(url, 'demo', '-bad', image.manifest);
  t.is(badTag.status, 400);
});

test('manifests over 4 MiB are refused with 413', async (t) => {
  const { url } = await startEngineRegistry(t);
  const image = someImage({ annotations: { padding: 'x'.repeat(4 * 1024 * 1024) } });
  await pushBlob(url, 'demo', image.config);
  for (const layer of image.layers) await pushBlob(url, 'demo', layer);
  const put = await putManifest(url, 'demo', 'big', image.manifest);
  t.is(put.status, 413);
  t.deepEqual(await errorCodes(put), ['MANIFEST_INVALID']);
  t.is((await fetch(`${url}/v2/demo/manifests/big`)).status, 404);
});

test('referrers: OCI-Subject on PUT, the index lists referrers, artifactType filters; a dangling subject is accepted', async (t) => {
  const { url } = await startEngineRegistry(t);
  const subject = someImage();
  await pushImage(url, 'demo', subject, 'v1');
  const empty = Buffer.from('{}');
  await pushBlob(url, 'demo', empty);
  const subjectDescriptor = { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length };
  const sbom = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: 'application/vnd.example.sbom',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 }],
    subject: subjectDescriptor,
    annotations: { 'org.example.kind': 'sbom' },
  }));
  const signatureConfig = Buffer.from('{"sig":1}');
  await pushBlob(url, 'demo', signatureConfig);
  const signature = imageManifest(signatureConfig, [], { subject: subjectDescriptor }, 'application/vnd.example.signature.config');

  const putSbom = await putManifest(url, 'demo', sha256(sbom), sbom);
  t.is(putSbom.status, 201);
  t.is(putSbom.headers.get('oci-subject'), subject.digest);
  t.is((await putManifest(url, 'demo', signature.digest, signature.manifest)).status, 201);

  const all = await fetch(`${url}/v2/demo/referrers/${subject.digest}`);
  t.is(all.status, 200);
  t.is(all.headers.get('content-type'), OCI_INDEX);
  const index = (await all.json()) as { schemaVersion: number; mediaType: string; manifests: { digest: string; artifactType: string; annotations?: Record<string, string> }[] };
  t.is(index.schemaVersion, 2);
  t.is(index.mediaType, OCI_INDEX);
  t.deepEqual(index.manifests.map((m) => m.digest).sort(), [sha256(sbom), signature.digest].sort());
  const sbomEntry = index.manifests.find((m) => m.digest === sha256(sbom));
  t.is(sbomEntry?.artifactType, 'application/vnd.example.sbom');
  t.deepEqual(sbomEntry?.annotations, { 'org.example.kind': 'sbom' });
  t.is(index.manifests.find((m) => m.digest === signature.digest)?.artifactType, 'application/vnd.example.signature.config');

  const filtered = await fetch(`${url}/v2/demo/referrers/${subject.digest}?artifactType=application/vnd.example.sbom`);
  t.is(filtered.headers.get('oci-filters-applied'), 'artifactType');
  t.deepEqual(((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest), [sha256(sbom)]);

  const none = await fetch(`${url}/v2/demo/referrers/${sha256(Buffer.from('nothing'))}`);
  t.is(none.status, 200);
  t.deepEqual(((await none.json()) as { manifests: unknown[] }).manifests, []);
  t.is((await fetch(`${url}/v2/demo/referrers/sha256:bad`)).status, 400);

  const dangling = imageManifest(signatureConfig, [], { subject: { mediaType: OCI_MANIFEST, digest: sha256(Buffer.from('absent')), size: 7 } });
  const putDangling = await putManifest(url, 'demo', dangling.digest, dangling.manifest);
  t.is(putDangling.status, 201);
  t.is(putDangling.headers.get('oci-subject'), sha256(Buffer.from('absent')));

  // Deleting a referrer takes it off the list.
  t.is((await fetch(`${url}/v2/demo/manifests/${sha256(sbom)}`, { method: 'DELETE' })).status, 202);
  const after = (await (await fetch(`${url}/v2/demo/referrers/${subject.digest}`)).json()) as { manifests: { digest: string }[] };
  t.deepEqual(after.manifests.map((m) => m.digest), [signature.digest]);
});

test('DELETE of a tag keeps the manifest; DELETE by digest removes it and its tags', async (t) => {
  const { url } = await startEngineRegistry(t);
  const image = someImage();
  await pushImage(url, 'demo', image, 'v1');
  t.is((await putManifest(url, 'demo', 'v2', image.manifest)).status, 201);
  t.is((await fetch(`${url}/v2/demo/manifests/v1`, { method: 'DELETE' })).status, 202);
  t.is((await fetch(`${url}/v2/demo/manifests/v1`)).status, 404);
  t.is((await fetch(`${url}/v2/demo/manifests/v2`)).status, 200);
  t.is((await fetch(`${url}/v2/demo/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
  t.is((await fetch(`${url}/v2/demo/manifests/${image.digest}`)).status, 404);
  t.is((await fetch(`${url}/v2/demo/manifests/v2`)).status, 404);
  const tags = (await (await fetch(`${url}/v2/demo/tags/list`)).json()) as { tags: string[] };
  t.deepEqual(tags.tags, []);
  const again = await fetch(`${url}/v2/demo/manifests/${image.digest}`, { method: 'DELETE' });
  t.is(again.status, 404);
  t.deepEqual(await errorCodes(again), ['MANIFEST_UNKNOWN']);
});

test('with deletes disabled, DELETE of a manifest answers 405 UNSUPPORTED', async (t) => {
  const { url } = await startEngineRegistry(t, { deletesEnabled: false });
  const image = someImage();
  await pushImage(url, 'demo', image, 'v1');
  const deleted = await fetch(`${url}/v2/demo/manifests/${image.digest}`, { method: 'DELETE' });
  t.is(deleted.status, 405);
  t.deepEqual(await errorCodes(deleted), ['UNSUPPORTED']);
  t.is((await fetch(`${url}/v2/demo/manifests/v1`)).status, 200);
});
