/**
 * Two `strata serve` processes over one PostgreSQL (metadata) and one
 * `strata cas` (content): whatever one gateway starts, the other finishes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { postgresForFile } from '../postgres-server.ts';
import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, busyboxLayer, image, sha256, writeOciLayout } from './support/images.ts';
import { requireTools, waitFor } from './support/processes.ts';
import { backingServices, startScaleOut } from './support/scale-out.ts';
import { STRATA_BIN, startCasDaemon, startGatewayDaemon, type GatewayDaemon } from './support/strata-daemons.ts';
import { workspace, type Workspace } from './support/workspace.ts';

// One PostgreSQL for the file; each test's registry is a schema of its own.
const postgres = postgresForFile(test);

interface Cluster {
  a: GatewayDaemon;
  b: GatewayDaemon;
  metadataUrl: string;
}

/**
 * `strata cas` and two `strata serve --cas --metadata`, each with a data
 * directory of its own. Gateway A gets the URL as a flag, B through
 * STRATA_METADATA.
 */
async function startCluster(t: ExecutionContext, space: Workspace, schema: string): Promise<Cluster> {
  const metadataUrl = `${postgres.url()}?schema=${schema}`;
  const casAddress = await startCasDaemon(t, space);
  // Started at once: both find a schema to create, one migrates it.
  const [a, b] = await Promise.all([
    startGatewayDaemon(t, space, 'gateway-a', casAddress, ['--metadata', metadataUrl]),
    startGatewayDaemon(t, space, 'gateway-b', casAddress, [], { ...process.env, STRATA_METADATA: metadataUrl }),
  ]);
  return { a, b, metadataUrl };
}

function layoutBlob(dir: string, digest: string): Promise<Buffer> {
  return readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
}

test('an image pushed with skopeo through one gateway pulls bit-exact through the other', async (t) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const space = await workspace(t);
  const { a, b } = await startCluster(t, space, 'several_push_pull');
  const app = image([
    await busyboxLayer(space),
    await buildLayer(space, [{ path: 'srv/app/data.bin', content: randomBytes(300_000) }]),
  ]);
  const source = await space.dir('source');
  await writeOciLayout(source, [{ tag: 'v1', of: app }]);
  // One client per gateway, each with its own blob-info cache: B's pull learns nothing from A's push.
  const pusher = await ContainersClient.create(space, 'skopeo-a', [a.host]);
  const puller = await ContainersClient.create(space, 'skopeo-b', [b.host]);

  await pusher.skopeo(['copy', `oci:${source}:v1`, `docker://${a.host}/team/app:v1`]);
  const pulled = join(space.root, 'pulled');
  await puller.skopeo(['copy', `docker://${b.host}/team/app:v1`, `oci:${pulled}:v1`]);

  const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  t.deepEqual(index.manifests.map((entry) => entry.digest), [app.digest]);
  const expected = [app.digest, sha256(app.config), ...app.layers.map((layer) => layer.digest)];
  const held = (await readdir(join(pulled, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`);
  for (const digest of expected) {
    t.true(held.includes(digest), digest);
    t.is(sha256(await layoutBlob(pulled, digest)), digest);
  }
  const layer = app.layers[1]!;
  t.true((await layoutBlob(pulled, layer.digest)).equals(layer.gzip));

  // Listings and deletes agree across gateways.
  t.deepEqual(await (await fetch(`${b.url}/v2/team/app/tags/list`)).json(), { name: 'team/app', tags: ['v1'] });
  t.deepEqual(await (await fetch(`${a.url}/v2/_catalog`)).json(), { repositories: ['team/app'] });
  t.is((await fetch(`${b.url}/v2/team/app/manifests/v1`, { method: 'DELETE' })).status, 202);
  t.is((await fetch(`${a.url}/v2/team/app/manifests/v1`, { method: 'HEAD' })).status, 404);

  // The database password is in neither gateway's log.
  for (const gateway of [a, b]) t.false((await gateway.daemon.log()).includes(postgres.server().password));
});

/** Two gateways of a test, as the kill case uses them. */
type GatewayPair = { a: { url: string; daemon: { pid: number; log(): Promise<string> } }; b: { url: string; daemon: { log(): Promise<string> } } };

const KILL_CLUSTERS: { name: string; start(t: ExecutionContext, space: Workspace): Promise<GatewayPair> }[] = [
  { name: 'over strata cas', start: (t, space) => startCluster(t, space, 'several_upload') },
  {
    // The content store itself keeps nothing locally that matters: packs in S3 (Ceph radosgw), index in PostgreSQL.
    name: 'over strata cas with S3 packs and its index in PostgreSQL',
    async start(t, space) {
      const { gateways } = await startScaleOut(t, space, STRATA_BIN, await backingServices(), []);
      return { a: gateways[0]!, b: gateways[1]! };
    },
  },
];

for (const cluster of KILL_CLUSTERS) {
  test(`${cluster.name}: a chunked upload whose gateway is killed mid-chunk is finished through the other gateway`, async (t) => {
    const space = await workspace(t);
    await killMidUpload(t, await cluster.start(t, space));
  });
}

async function killMidUpload(t: ExecutionContext, { a, b }: GatewayPair): Promise<void> {
  const blob = randomBytes(6 * 1024 * 1024 + 123);
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  const firstChunk = 2 * 1024 * 1024;

  const started = await fetch(`${a.url}/v2/team/big/blobs/uploads/`, { method: 'POST' });
  t.is(started.status, 202);
  const location = new URL(started.headers.get('location')!, a.url).pathname;
  const first = await fetch(`${a.url}${location}`, {
    method: 'PATCH',
    body: blob.subarray(0, firstChunk),
    headers: { 'content-type': 'application/octet-stream', 'content-range': `0-${firstChunk - 1}` },
  });
  t.is(first.status, 202);

  // The second chunk is only half sent when A dies.
  const secondEnd = 5 * 1024 * 1024;
  const half = firstChunk + (secondEnd - firstChunk) / 2;
  const target = new URL(`${a.url}${location}`);
  const patch = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'PATCH',
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${firstChunk}-${secondEnd - 1}`, 'content-length': String(secondEnd - firstChunk) },
  });
  const patchEnded = new Promise<void>((resolve) => {
    patch.on('error', () => resolve());
    patch.on('response', (response) => {
      response.resume();
      response.on('end', resolve);
    });
  });
  patch.write(blob.subarray(firstChunk, half));

  // B reports what reached the store through A: the upload session is shared.
  const storedOffset = async (): Promise<number> => {
    const status = await fetch(`${b.url}${location}`);
    t.is(status.status, 204);
    return Number(/^0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1] ?? -1) + 1;
  };
  await waitFor(async () => (await storedOffset()) >= half, 30_000, a.daemon.log);
  process.kill(a.daemon.pid, 'SIGKILL');
  await patchEnded;

  // Where the store stands after A's write ended: at least what A streamed, never past it.
  let resumeAt = -1;
  await waitFor(
    async () => {
      resumeAt = await storedOffset();
      const again = await storedOffset();
      return resumeAt === again;
    },
    30_000,
    b.daemon.log,
  );
  t.true(resumeAt >= half && resumeAt <= secondEnd, `resume at ${resumeAt}`);

  const rest = await fetch(`${b.url}${location}`, {
    method: 'PATCH',
    body: blob.subarray(resumeAt),
    headers: { 'content-type': 'application/octet-stream', 'content-range': `${resumeAt}-${blob.length - 1}` },
  });
  t.is(rest.status, 202, await rest.text());
  const finished = await fetch(`${b.url}${location}?digest=${digest}`, { method: 'PUT' });
  t.is(finished.status, 201, await finished.text());
  t.is(finished.headers.get('docker-content-digest'), digest);

  const pulled = Buffer.from(await (await fetch(`${b.url}/v2/team/big/blobs/${digest}`)).arrayBuffer());
  t.is(`sha256:${createHash('sha256').update(pulled).digest('hex')}`, digest);
  t.is(pulled.length, blob.length);
  // The session is over on every gateway.
  t.is((await fetch(`${b.url}${location}`)).status, 404);
}
