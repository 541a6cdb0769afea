/**
 * What ordering pushes against collections across gateways costs: image
 * pushes per second (config + one layer by monolithic POST, then the
 * manifest) and blob HEADs per second through a gateway over PostgreSQL
 * metadata and an in-memory store, with the in-process guard (orders one
 * gateway only) and with the PostgreSQL guard (orders every gateway). Then
 * the same with a collection looping on a second gateway over the schema
 * (grace 1 h): with in-process guards, which do not see each other, that
 * collection can delete a blob between its upload and the link, and the
 * manifest naming it is refused. Not a test.
 *
 *   npx --no-install node packages/gateway/bench/collection-guard.ts [images per client] [clients] [postgresql://URL]
 */
import { createHash, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createMemoryStore } from '@strata/cas-testsuite';
import { startPostgres, type PostgresServer } from '@strata/test-services';
import { collectRegistryGarbage, Gateway, LocalCollectionGuard, PgMetadata, type CollectionGuard } from '../src/index.ts';

const imagesPerClient = Number(process.argv[2] ?? 100);
const clients = Number(process.argv[3] ?? 8);
const givenUrl = process.argv[4];
const silent = pino({ level: 'silent' });

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function pushBlob(base: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const response = await fetch(`${base}/v2/${repository}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
  if (response.status !== 201) throw new Error(`blob push answered ${response.status}`);
  return digest;
}

/** Pushes one image; its blob digests, and whether the manifest was refused (MANIFEST_BLOB_UNKNOWN). */
async function pushImage(base: string, repository: string, n: number): Promise<{ digests: string[]; refused: boolean }> {
  const config = Buffer.from(JSON.stringify({ repository, n }));
  const layer = randomBytes(4096);
  const digests = [await pushBlob(base, repository, config), await pushBlob(base, repository, layer)];
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digests[0], size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digests[1], size: layer.length }],
  });
  const put = await fetch(`${base}/v2/${repository}/manifests/v${n}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  const body = await put.text();
  if (put.status === 400 && body.includes('MANIFEST_BLOB_UNKNOWN')) return { digests, refused: true };
  if (put.status !== 201) throw new Error(`manifest push answered ${put.status}: ${body}`);
  return { digests, refused: false };
}

interface Row {
  guard: 'local' | 'postgresql';
  collecting: boolean;
  pushesPerSecond: number;
  headsPerSecond: number;
  collections: number;
  /** Manifests refused because a collection deleted a blob they name between its upload and the manifest. */
  refused: number;
}

async function measure(url: string, schema: string, kind: 'local' | 'postgresql', collecting: boolean): Promise<Row> {
  const store = createMemoryStore();
  const metadata = await PgMetadata.open({ url, schema });
  const guard: CollectionGuard = kind === 'local' ? new LocalCollectionGuard() : metadata.createCollectionGuard({ recentMs: 0 });
  const gateway = new Gateway({ store, metadata, guard, logger: silent });
  await gateway.listen(0);
  // The second gateway's collection: its own metadata connections and guard over the same schema.
  const otherMetadata = await PgMetadata.open({ url, schema });
  const otherGuard = kind === 'local' ? new LocalCollectionGuard() : otherMetadata.createCollectionGuard({ recentMs: 0 });
  let collections = 0;
  let running = collecting;
  const collector = (async () => {
    while (running) {
      // Grace 1 h: the loop costs the pushes its locks and reads, and deletes nothing they need.
      await collectRegistryGarbage({ metadata: otherMetadata, store, guard: otherGuard });
      collections++;
    }
  })();

  try {
    return await pushesAndHeads(gateway.url, kind, collecting, () => collections);
  } finally {
    running = false;
    await collector;
    await gateway.close();
    await guard.close();
    await otherGuard.close();
    await metadata.close();
    await otherMetadata.close();
  }
}

async function pushesAndHeads(base: string, kind: Row['guard'], collecting: boolean, collections: () => number): Promise<Row> {
  const pushed: string[] = [];
  let refused = 0;
  let started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; n < imagesPerClient; n++) {
        const image = await pushImage(base, `bench/c${client}`, n);
        pushed.push(...image.digests);
        if (image.refused) refused++;
      }
    }),
  );
  const pushSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let index = next++; index < pushed.length; index = next++) {
        const head = await fetch(`${base}/v2/bench/c${client}/blobs/${pushed[index]}`, { method: 'HEAD' });
        if (head.status !== 200 && head.status !== 404) throw new Error(`HEAD answered ${head.status}`);
      }
    }),
  );
  const headSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    guard: kind,
    collecting,
    pushesPerSecond: (clients * imagesPerClient) / pushSeconds,
    headsPerSecond: pushed.length / headSeconds,
    collections: collections(),
    refused,
  };
}

let server: PostgresServer | undefined;
const url = givenUrl ?? (server = await startPostgres()).url;
try {
  const rows: Row[] = [];
  let schema = 0;
  for (const collecting of [false, true]) {
    for (const kind of ['local', 'postgresql'] as const) rows.push(await measure(url, `guard_bench_${process.pid}_${++schema}`, kind, collecting));
  }
  console.log(`${clients} clients × ${imagesPerClient} images (config + 4 KiB layer + manifest), then a HEAD of every blob`);
  console.log('| guard | collection looping on another gateway | image pushes/s | blob HEADs/s | collections | manifests refused |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(`| ${row.guard} | ${row.collecting ? 'yes' : 'no'} | ${row.pushesPerSecond.toFixed(0)} | ${row.headsPerSecond.toFixed(0)} | ${row.collecting ? row.collections : '–'} | ${row.refused} |`);
  }
} finally {
  await server?.stop();
}
