/**
 * Garbage collection with two `strata serve` processes over one PostgreSQL
 * schema and one `strata cas`: pushes through one gateway while the other
 * collects in a loop, and a gateway killed in the middle of a collection.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import { postgresForFile } from '../postgres-server.ts';
import { imageManifest, pullsBitExact, pushBlob, pushImage, putManifest, randomBlob, type BuiltImage } from '../support.ts';
import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, image, sha256, writeOciLayout, type Image } from './support/images.ts';
import { requireTools, run, waitFor } from './support/processes.ts';
import { STRATA_BIN, startCasDaemon, startGatewayDaemon, type GatewayDaemon } from './support/strata-daemons.ts';
import { workspace, type Workspace } from './support/workspace.ts';

const postgres = postgresForFile(test);

/** `strata cas` and two `strata serve --cas --metadata`, each gateway with its own extra flags. */
async function startCluster(t: ExecutionContext, space: Workspace, schema: string, flags: { a: string[]; b: string[] }) {
  const metadataUrl = `${postgres.url()}?schema=${schema}`;
  const casAddress = await startCasDaemon(t, space);
  const a = await startGatewayDaemon(t, space, 'gateway-a', casAddress, ['--metadata', metadataUrl, ...flags.a]);
  const b = await startGatewayDaemon(t, space, 'gateway-b', casAddress, ['--metadata', metadataUrl, ...flags.b]);
  return { a, b, casAddress, metadataUrl };
}

/** A counter's value on a gateway's /metrics, summed over its labels. */
async function metric(gateway: GatewayDaemon, name: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const HTTP_CLIENTS = 3;
const IMAGES_PER_CLIENT = 16;
const SKOPEO_IMAGES = 3;

test('pushes through B while A collects in a loop: every accepted manifest pulls bit-exact through both, fsck clean', async (t) => {
  t.timeout(10 * 60_000);
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const space = await workspace(t);
  // A small grace period: a push whose manifest comes later than it relies on the guard alone.
  const { a, b, casAddress } = await startCluster(t, space, 'gc_stress', { a: ['--gc-interval', '50ms', '--grace', '300ms'], b: [] });
  const shared = randomBlob(200_000).bytes;

  const kept: { repository: string; tag: string; built: BuiltImage }[] = [];
  let refused = 0;
  const clients = Array.from({ length: HTTP_CLIENTS }, async (_, client) => {
    const repository = `stress/client-${client}`;
    for (let n = 0; n < IMAGES_PER_CLIENT; n++) {
      const built = imageManifest(Buffer.from(JSON.stringify({ client, n })), [shared, randomBlob(100_000 + n * 1000).bytes]);
      const tag = `v${n}`;
      for (let attempt = 1; ; attempt++) {
        await pushBlob(b.url, repository, built.config);
        for (const layer of built.layers) await pushBlob(b.url, repository, layer);
        // Sometimes past the grace period, so a collection can take the blobs before the manifest.
        await sleep((n * 97 + attempt * 131) % 600);
        const put = await putManifest(b.url, repository, tag, built.manifest);
        if (put.status === 201) break;
        // Only the race with a collection may refuse a push, and only this way; pushing again succeeds.
        const body = (await put.json()) as { errors: { code: string }[] };
        t.deepEqual(body.errors.map((error) => error.code), ['MANIFEST_BLOB_UNKNOWN']);
        refused++;
        if (attempt >= 10) throw new Error(`${repository}:${tag} refused ${attempt} times`);
      }
      if (n % 3 === 2) {
        t.is((await fetch(`${b.url}/v2/${repository}/manifests/${built.digest}`, { method: 'DELETE' })).status, 202);
      } else {
        kept.push({ repository, tag, built });
        // Every accepted manifest is served whole at once, through either gateway.
        t.true(await pullsBitExact(a.url, repository, tag, built), `${repository}:${tag} through A`);
      }
    }
  });

  const skopeo = await ContainersClient.create(space, 'skopeo', [b.host, a.host]);
  const pushedBySkopeo: { tag: string; of: Image }[] = [];
  let skopeoRetries = 0;
  const skopeoPushes = (async () => {
    const source = await space.dir('source');
    for (let n = 0; n < SKOPEO_IMAGES; n++) {
      const img = image([await buildLayer(space, [{ path: `srv/${n}.bin`, content: randomBlob(120_000).bytes }])]);
      await writeOciLayout(source, [{ tag: `s${n}`, of: img }]);
      for (let attempt = 1; ; attempt++) {
        try {
          await skopeo.skopeo(['copy', `oci:${source}:s${n}`, `docker://${b.host}/stress/skopeo:s${n}`]);
          break;
        } catch (error) {
          // A collection may take a blob between its upload and the manifest: skopeo fails as the spec says.
          if (attempt >= 8) throw error;
          skopeoRetries++;
        }
      }
      pushedBySkopeo.push({ tag: `s${n}`, of: img });
    }
  })();

  await Promise.all([...clients, skopeoPushes]);
  // Collections go on a little longer, over the finished pushes and the deleted images.
  const runsAtEnd = await metric(a, 'strata_gc_runs_total');
  await waitFor(async () => (await metric(a, 'strata_gc_runs_total')) >= runsAtEnd + 3, 60_000, a.daemon.log);

  for (const { repository, tag, built } of kept) {
    t.true(await pullsBitExact(a.url, repository, tag, built), `${repository}:${tag} through A`);
    t.true(await pullsBitExact(b.url, repository, tag, built), `${repository}:${tag} through B`);
  }
  for (const { tag, of } of pushedBySkopeo) {
    for (const gateway of [a, b]) {
      const pulled = join(space.root, `pulled-${gateway.host.replace(':', '-')}`);
      await skopeo.skopeo(['copy', `docker://${gateway.host}/stress/skopeo:${tag}`, `oci:${pulled}:${tag}`]);
      for (const digest of [of.digest, sha256(of.config), ...of.layers.map((layer) => layer.digest)]) {
        t.is(sha256(await readFile(join(pulled, 'blobs', 'sha256', digest.slice('sha256:'.length)))), digest);
      }
    }
  }
  const runs = await metric(a, 'strata_gc_runs_total');
  const blobsDeleted = await metric(a, 'strata_gc_blobs_deleted_total');
  t.true(blobsDeleted > 0);
  // Exits 1 on damage, which run() throws.
  await run(process.execPath, [STRATA_BIN, 'fsck', '--cas', casAddress]);
  t.log(`${runs} collections on A; ${kept.length} HTTP images kept, ${refused} manifest pushes refused then pushed again, ${skopeoRetries} skopeo pushes retried; ${blobsDeleted} blobs deleted`);
});

/** The process holding the collection claim of the schema, by the name its claim connection carries. */
async function claimHolder(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT activity.application_name AS name FROM pg_locks AS lock JOIN pg_stat_activity AS activity ON activity.pid = lock.pid
       WHERE lock.locktype = 'advisory' AND lock.granted AND activity.application_name LIKE 'strata collection claim pid=%'`,
    );
    const match = /pid=(\d+)/.exec(rows[0]?.name ?? '');
    return match ? Number(match[1]) : undefined;
  } finally {
    await client.end();
  }
}

test('a gateway killed in the middle of a collection leaves no claim behind: the other gateway collects next', async (t) => {
  t.timeout(5 * 60_000);
  const space = await workspace(t);
  // A collects back to back; B tries every 100 ms and mostly finds A collecting.
  const { a, b } = await startCluster(t, space, 'gc_kill', { a: ['--gc-interval', '10ms', '--grace', '0'], b: ['--gc-interval', '100ms', '--grace', '0'] });
  // Enough repositories that a collection takes a while.
  for (let n = 0; n < 40; n++) {
    const built = imageManifest(Buffer.from(JSON.stringify({ n })), [randomBlob(2_000).bytes]);
    // With no grace period, a collection may take the blobs before the manifest: push again.
    let status = 0;
    for (let attempt = 0; attempt < 10 && status !== 201; attempt++) status = (await pushImage(b.url, `kill/app-${n}`, built, 'v1')).status;
    t.is(status, 201);
  }
  await waitFor(async () => (await metric(b, 'strata_gc_skipped_total')) > 0, 60_000, b.daemon.log);

  await waitFor(async () => (await claimHolder(postgres.url())) === a.daemon.pid, 60_000, a.daemon.log);
  process.kill(a.daemon.pid, 'SIGKILL');
  await a.daemon.stop();
  const runsBefore = await metric(b, 'strata_gc_runs_total');
  await waitFor(async () => (await metric(b, 'strata_gc_runs_total')) > runsBefore, 60_000, b.daemon.log);
  t.not(await claimHolder(postgres.url()), a.daemon.pid);
  t.regex(await b.daemon.log(), /scheduled collection skipped: another gateway is collecting/);
});
