import { randomUUID } from 'node:crypto';
import test from 'ava';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { runContentStoreSuite } from '@strata/cas-testsuite';
import { type CephCluster, s3ClientConfig, sharedCeph } from '@strata/test-services';
import { engineFactory } from './engine-factory.ts';

const MiB = 1024 * 1024;
// The run's Ceph is shared with other test files: a bucket of this file's own.
const BUCKET = `strata-suite-packs-${randomUUID().slice(0, 8)}`;

// One cluster for the file (it takes seconds to start); every store keeps its packs under a prefix of its own.
let cluster: CephCluster | undefined;
test.before(async () => {
  cluster = await sharedCeph();
  const s3 = new S3Client(s3ClientConfig(cluster));
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    s3.destroy();
  }
});
test.after.always(() => cluster?.stop());

// The engine with S3 packs passes the same conformance suite as on a local directory.
runContentStoreSuite(
  test,
  engineFactory(() => {
    if (cluster === undefined) throw new Error('the cluster did not start');
    const { endpoint, region, credentials } = s3ClientConfig(cluster);
    return {
      packs: { kind: 's3', bucket: BUCKET, prefix: `suite-${randomUUID()}`, endpoint, region, client: { credentials }, cacheBytes: 32 * MiB },
      targetPackBytes: 4 * MiB,
    };
  }),
  { name: 'engine with S3 packs', largeBlobBytes: 64 * MiB },
);
