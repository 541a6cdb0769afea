import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { curl } from './support/curl.ts';
import { buildLayer, busyboxLayer, image, pushOverHttp, sha256, OCI_INDEX, OCI_MANIFEST } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
const SBOM = 'application/spdx+json';
const SIGNATURE = 'application/vnd.example.signature.v1+json';

interface ReferrersIndex {
  mediaType: string;
  manifests: { digest: string; artifactType?: string; annotations?: Record<string, string> }[];
}

forEachServer('an SBOM attached to an image through the referrers API is listed back, filtered by artifactType', async (t, { server, workspace }) => {
  await requireTools(t, 'curl', 'tar', 'busybox');
  const dir = await workspace.dir('artifacts');
  const app = image([await busyboxLayer(workspace), await buildLayer(workspace, [{ path: 'greeting', content: 'hi\n' }])]);
  await pushOverHttp(server.url, 'team/app', 'v1', app);

  /** Pushes an artifact manifest about the image with curl: its one blob, the empty config, the manifest. */
  const attach = async (artifactType: string, content: string, name: string): Promise<string> => {
    const blobs = new Map([
      [EMPTY_CONFIG, Buffer.from('{}')],
      [artifactType, Buffer.from(content)],
    ]);
    for (const [kind, bytes] of blobs) {
      const file = join(dir, `${name}-${kind.replaceAll('/', '_')}`);
      await writeFile(file, bytes);
      const pushed = await curl(dir, ['-X', 'POST', '--data-binary', `@${file}`, '-H', 'Content-Type: application/octet-stream', `${server.url}/v2/team/app/blobs/uploads/?digest=${sha256(bytes)}`]);
      t.is(pushed.status, 201);
    }
    const config = blobs.get(EMPTY_CONFIG) as Buffer;
    const blob = blobs.get(artifactType) as Buffer;
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType,
        config: { mediaType: EMPTY_CONFIG, digest: sha256(config), size: config.length },
        layers: [{ mediaType: artifactType, digest: sha256(blob), size: blob.length }],
        subject: { mediaType: OCI_MANIFEST, digest: app.digest, size: app.manifest.length },
        annotations: { 'org.opencontainers.image.title': name },
      }),
    );
    const file = join(dir, `${name}-manifest.json`);
    await writeFile(file, manifest);
    const put = await curl(dir, ['-X', 'PUT', '-H', `Content-Type: ${OCI_MANIFEST}`, '--data-binary', `@${file}`, `${server.url}/v2/team/app/manifests/${sha256(manifest)}`]);
    t.is(put.status, 201);
    t.is(put.headers.get('oci-subject'), app.digest);
    return sha256(manifest);
  };

  const sbom = await attach(SBOM, JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app', packages: [{ name: 'busybox' }] }), 'sbom');
  const signature = await attach(SIGNATURE, 'signed', 'signature');

  const all = await curl(dir, [`${server.url}/v2/team/app/referrers/${app.digest}`]);
  t.is(all.status, 200);
  t.is(all.headers.get('content-type'), OCI_INDEX);
  const listed = JSON.parse(all.body.toString('utf8')) as ReferrersIndex;
  t.deepEqual(listed.manifests.map((m) => m.digest).sort(), [sbom, signature].sort());

  const onlySboms = await curl(dir, ['--get', '--data-urlencode', `artifactType=${SBOM}`, `${server.url}/v2/team/app/referrers/${app.digest}`]);
  t.is(onlySboms.status, 200);
  t.is(onlySboms.headers.get('oci-filters-applied'), 'artifactType');
  const filtered = JSON.parse(onlySboms.body.toString('utf8')) as ReferrersIndex;
  t.deepEqual(filtered.manifests.map((m) => [m.digest, m.artifactType, m.annotations?.['org.opencontainers.image.title']]), [[sbom, SBOM, 'sbom']]);

  // The SBOM itself reads back through the manifest it is listed under.
  const sbomManifest = await curl(dir, ['-H', `Accept: ${OCI_MANIFEST}`, `${server.url}/v2/team/app/manifests/${sbom}`]);
  const layer = (JSON.parse(sbomManifest.body.toString('utf8')) as { layers: { digest: string }[] }).layers[0];
  const document = await curl(dir, [`${server.url}/v2/team/app/blobs/${layer?.digest}`]);
  t.is((JSON.parse(document.body.toString('utf8')) as { spdxVersion: string }).spdxVersion, 'SPDX-2.3');
});
