import { randomBytes } from 'node:crypto';
import test from 'ava';
import { pushBlob, serve, sha256, strata, strataJson, tempDir } from './support.ts';

interface GcReport {
  dryRun: boolean;
  blobsDeleted: number;
  manifestsDeleted: number;
  linksRemoved: number;
  bytesReclaimed: number;
  store?: { chunksSwept: number };
}

test('strata gc collects a stopped registry: the dry run changes nothing, the run deletes, a second run finds nothing', async (t) => {
  const data = await tempDir(t);
  const server = await serve(t, ['--data', data]);
  const config = Buffer.from('{}');
  const layer = randomBytes(300_000);
  await pushBlob(server.url, 'demo', config);
  await pushBlob(server.url, 'demo', layer);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  }));
  const put = await fetch(`${server.url}/v2/demo/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  t.is(put.status, 201);
  const gone = await pushBlob(server.url, 'demo', randomBytes(100_000));

  // While the registry runs, gc refuses the directory and changes nothing.
  const refused = await strata(['gc', '--data', data, '--grace', '0']);
  t.is(refused.code, 1);
  t.is((await fetch(`${server.url}/v2/demo/blobs/${gone}`, { method: 'HEAD' })).status, 200);
  t.is(await server.stop(), 0);

  const [dry] = await strataJson<GcReport>(t, ['gc', '--data', data, '--grace', '0', '--dry-run']);
  t.true(dry!.dryRun);
  t.is(dry!.blobsDeleted, 1);
  const [run] = await strataJson<GcReport>(t, ['gc', '--data', data, '--grace', '0']);
  t.false(run!.dryRun);
  t.is(run!.blobsDeleted, 1);
  t.is(run!.linksRemoved, 1);
  t.true(run!.store !== undefined);
  const [again] = await strataJson<GcReport>(t, ['gc', '--data', data, '--grace', '0']);
  t.is(again!.blobsDeleted, 0);

  // The image is still served, bit-exact.
  const restarted = await serve(t, ['--data', data]);
  const pulled = await fetch(`${restarted.url}/v2/demo/blobs/${sha256(layer)}`);
  t.true(Buffer.from(await pulled.arrayBuffer()).equals(layer));
  t.is((await fetch(`${restarted.url}/v2/demo/blobs/${gone}`, { method: 'HEAD' })).status, 404);
  t.is(await restarted.stop(), 0);

  const text = await strata(['gc', '--data', data]);
  t.is(text.code, 0, text.stderr);
});

test('strata gc without a registry in DIR fails; a malformed --grace is a usage error', async (t) => {
  const data = await tempDir(t);
  t.is((await strata(['gc', '--data', data])).code, 1);
  t.is((await strata(['gc', '--data', data, '--grace', 'soon'])).code, 2);
});
