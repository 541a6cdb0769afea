/**
 * Packs in S3 (Ceph radosgw on loopback) against packs on local disk:
 * ingest and read throughput through the engine (MB/s, 1 MB = 10^6 bytes),
 * and the S3 requests per GB stored and per GB served. Reads are cold (a
 * reopened store: empty range cache, hot blob cache off) then warm (the
 * same blobs again, range cache filled). Not a test.
 *
 *   npx --no-install node packages/cas/bench/s3-packs.ts [MiB of blobs]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { openStore, S3PackStore, writeBlob, type Engine, type EngineOptions, type S3RequestCounts } from '@strata/cas';
import { s3ClientConfig, startCeph } from '@strata/test-services';
import { seededBytes } from '../test/support.ts';

const MiB = 1024 * 1024;
const total = Number(process.argv[2] ?? 256) * MiB;
const BLOB_BYTES = 16 * MiB;
const WRITERS = 4;

/** Mixed data: random blobs, compressible ones, and versions that share half their bytes with an earlier blob. */
function blobData(i: number): Buffer {
  if (i % 4 === 1) {
    const text = Buffer.from(`line ${i} of a compressible layer with repeated words and numbers ${i * 7919}\n`);
    return Buffer.concat(Array.from({ length: Math.ceil(BLOB_BYTES / text.length) }, () => text)).subarray(0, BLOB_BYTES);
  }
  if (i % 4 === 3) return Buffer.concat([seededBytes(`blob-${i - 3}`, BLOB_BYTES / 2), seededBytes(`blob-${i}`, BLOB_BYTES / 2)]);
  return seededBytes(`blob-${i}`, BLOB_BYTES);
}

function counts(engine: Engine): S3RequestCounts | undefined {
  return engine.packStore instanceof S3PackStore ? engine.packStore.requestCounts() : undefined;
}

function minus(after: S3RequestCounts | undefined, before: S3RequestCounts | undefined): S3RequestCounts | undefined {
  if (!after || !before) return undefined;
  return { put: after.put - before.put, get: after.get - before.get, head: after.head - before.head, list: after.list - before.list, delete: after.delete - before.delete };
}

function sum(requests: S3RequestCounts | undefined): number {
  return requests ? requests.put + requests.get + requests.head + requests.list + requests.delete : 0;
}

async function readAll(engine: Engine, digests: readonly string[]): Promise<number> {
  let bytes = 0;
  for (let at = 0; at < digests.length; at += WRITERS) {
    await Promise.all(
      digests.slice(at, at + WRITERS).map(async (digest) => {
        for await (const piece of (await engine.read(digest)).body) bytes += (piece as Buffer).byteLength;
      }),
    );
  }
  return bytes;
}

async function measure(name: string, dir: string, options: EngineOptions): Promise<string> {
  const count = Math.max(WRITERS, Math.round(total / BLOB_BYTES));
  const engine = await openStore(dir, { ...options, hotCacheBytes: 0 });
  const before = counts(engine);
  let started = performance.now();
  const digests: string[] = [];
  for (let at = 0; at < count; at += WRITERS) {
    const written = await Promise.all(
      Array.from({ length: Math.min(WRITERS, count - at) }, async (_, k) => (await writeBlob(engine, [blobData(at + k)])).digest),
    );
    digests.push(...written);
  }
  const writeSeconds = (performance.now() - started) / 1000;
  const stored = (await engine.stats()).storedBytes;
  const written = minus(counts(engine), before);
  await engine.close();

  const cold = await openStore(dir, { ...options, hotCacheBytes: 0 });
  const coldBefore = counts(cold);
  started = performance.now();
  const served = await readAll(cold, digests);
  const coldSeconds = (performance.now() - started) / 1000;
  const coldRequests = minus(counts(cold), coldBefore);
  const warmBefore = counts(cold);
  started = performance.now();
  await readAll(cold, digests);
  const warmSeconds = (performance.now() - started) / 1000;
  const warmRequests = minus(counts(cold), warmBefore);
  await cold.close();

  const logical = count * BLOB_BYTES;
  const perGb = (requests: S3RequestCounts | undefined, bytes: number) => (requests ? (sum(requests) / (bytes / 1e9)).toFixed(0) : '-');
  const mbps = (bytes: number, seconds: number) => (bytes / 1e6 / seconds).toFixed(0);
  return (
    `| ${name} | ${(logical / MiB).toFixed(0)} | ${(stored / MiB).toFixed(0)} | ${mbps(logical, writeSeconds)} | ${mbps(served, coldSeconds)} | ${mbps(served, warmSeconds)} ` +
    `| ${perGb(written, stored)} | ${perGb(coldRequests, served)} | ${perGb(warmRequests, served)} | ${written ? JSON.stringify(written) : '-'} |`
  );
}

const scratch = await mkdtemp(join(tmpdir(), 'strata-bench-s3-'));
const cluster = await startCeph({ parentDir: scratch });
try {
  const s3 = new S3Client(s3ClientConfig(cluster));
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  s3.destroy();
  const { endpoint, region, credentials } = s3ClientConfig(cluster);
  process.stdout.write(`Ceph radosgw started in ${cluster.startMs} ms; ${WRITERS} writers/readers, ${BLOB_BYTES / MiB} MiB blobs\n\n`);
  process.stdout.write(
    '| packs | logical MiB | stored MiB | write MB/s | cold read MB/s | warm read MB/s | S3 req/GB stored | S3 req/GB served cold | S3 req/GB served warm | ingest requests |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|---|---|\n');
  process.stdout.write(`${await measure('local', join(scratch, 'local'), {})}\n`);
  process.stdout.write(
    `${await measure('S3 (radosgw)', join(scratch, 's3'), {
      packs: { kind: 's3', bucket: 'bench', prefix: 'store', endpoint, region, client: { credentials }, cacheBytes: 1024 * MiB },
    })}\n`,
  );
} finally {
  await cluster.stop();
  await rm(scratch, { recursive: true, force: true });
}
