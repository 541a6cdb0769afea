/**
 * The engine as a scale-out `strata cas` runs it: packs in S3 (Ceph
 * radosgw) and the index in PostgreSQL, together.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { openStore, readBytes, withIndexSchema, writeBlob, type Engine, type EngineOptions } from '@strata/cas';
import { runContentStoreSuite, seededBytes } from '@strata/cas-testsuite';
import { digestBytes } from '@strata/digest';
import { type CephCluster, type PostgresServer, s3ClientConfig, sharedCeph, sharedPostgres } from '@strata/test-services';
import { engineFactory } from './engine-factory.ts';

const KiB = 1024;
const MiB = 1024 * 1024;
// The run's Ceph is shared with other test files: a bucket of this file's own.
const BUCKET = `strata-scale-out-${randomUUID().slice(0, 8)}`;

let cluster: CephCluster | undefined;
let postgres: PostgresServer | undefined;
test.before(async () => {
  [cluster, postgres] = await Promise.all([sharedCeph(), sharedPostgres()]);
  const s3 = new S3Client(s3ClientConfig(cluster));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    s3.destroy();
  }
});
test.after.always(async () => {
  await Promise.all([cluster?.stop(), postgres?.stop()]);
});

/** S3 packs under a prefix of their own and an index in a schema of its own. */
function scaleOutOptions(prefix = `store-${randomUUID()}`): EngineOptions {
  if (!cluster || !postgres) throw new Error('the services did not start');
  const { endpoint, region, credentials } = s3ClientConfig(cluster);
  return {
    packs: { kind: 's3', bucket: BUCKET, prefix, endpoint, region, client: { credentials }, cacheBytes: 32 * MiB },
    index: withIndexSchema(postgres.url, `t_${randomUUID().replaceAll('-', '')}`),
  };
}

runContentStoreSuite(test, engineFactory(() => ({ ...scaleOutOptions(), targetPackBytes: 4 * MiB })), {
  name: 'engine with S3 packs and the PostgreSQL index',
  largeBlobBytes: 64 * MiB,
});

async function packObjects(prefix: string): Promise<string[]> {
  const s3 = new S3Client(s3ClientConfig(cluster!));
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/packs/` }));
    return (listed.Contents ?? []).map((object) => object.Key!).sort();
  } finally {
    s3.destroy();
  }
}

async function open(t: ExecutionContext, options: EngineOptions): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-scale-out-'));
  const store = await openStore(dir, { compressThreads: 0, hotCacheBytes: 0, ...options });
  t.teardown(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

test('GC over S3 packs and the PostgreSQL index merges the small packs commits sealed, drops emptied ones, and fsck stays clean', async (t) => {
  const prefix = `gc-${randomUUID()}`;
  const store = await open(t, { ...scaleOutOptions(prefix), targetPackBytes: 8 * MiB });
  // Each commit seals and uploads the pack it wrote to: twelve small pack objects.
  const blobs = Array.from({ length: 12 }, (_, i) => seededBytes(`scale-out-gc-${i}`, 300 * KiB + i));
  for (const bytes of blobs) await writeBlob(store, [bytes]);
  // A delete's tombstone is sealed into a pack of its own too.
  for (const bytes of blobs.slice(0, 4)) await store.delete(digestBytes(bytes));
  const before = await packObjects(prefix);
  t.true(before.length >= 16, `${before.length} pack objects`);

  const report = await store.collectGarbage();
  const after = await packObjects(prefix);
  t.log(`pack objects ${before.length} → ${after.length}; ${JSON.stringify(report)}`);
  t.true(report.packsDeleted >= 8, `${report.packsDeleted} packs deleted`);
  t.true(after.length <= 4, `${after.length} pack objects left`);
  t.true(before.filter((key) => !after.includes(key)).length >= report.packsDeleted, 'removed packs are gone from the bucket');
  for (const [i, bytes] of blobs.entries()) {
    if (i < 4) t.deepEqual(await store.findMissing([digestBytes(bytes)]), [digestBytes(bytes)]);
    else t.deepEqual(await readBytes(store, digestBytes(bytes), 4 * MiB), bytes);
  }
  const fsck = await store.fsck();
  t.true(fsck.ok, JSON.stringify(fsck));
});
