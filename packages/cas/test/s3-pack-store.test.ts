import test from 'ava';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  isAlreadyExists,
  isDataLoss,
  isFailedPrecondition,
  isInvalidArgument,
  isNotFound,
  isUnavailable,
} from '@strata/errors';
import {
  openStore,
  PackRangeCache,
  parsePackLocation,
  readBytes,
  S3PackStore,
  writeBlob,
  type S3PackLocation,
} from '@strata/cas';
import { type CephCluster, s3ClientConfig, sharedCeph } from '@strata/test-services';
import { PackWriter } from '../src/pack-writer.ts';
import { Codec, RecordType } from '../src/pack-format.ts';
import { readJournal, runUntilKilled } from './fixtures/write-delete-loop.ts';
import { seededBytes, sha256, tempDir } from './support.ts';

const MiB = 1024 * 1024;
// The run's Ceph is shared with other test files: a bucket of this file's own.
const BUCKET = `strata-packs-${randomUUID().slice(0, 8)}`;
const CRASH_WRITER = fileURLToPath(new URL('./fixtures/s3-crash-writer.ts', import.meta.url));

// One cluster for the file (it takes seconds to start); every test uses its own key prefix.
let cluster: CephCluster | undefined;
let s3: S3Client;

test.before(async () => {
  cluster = await sharedCeph();
  s3 = new S3Client(s3ClientConfig(cluster));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

test.after.always(async () => {
  s3?.destroy();
  await cluster?.stop();
});

function started(): CephCluster {
  if (cluster === undefined) throw new Error('the cluster did not start');
  return cluster;
}

function location(prefix: string, extra: Partial<S3PackLocation> = {}): S3PackLocation {
  const { endpoint, region, credentials } = s3ClientConfig(started());
  return { kind: 's3', bucket: BUCKET, prefix, endpoint, region, client: { credentials }, ...extra };
}

async function objectKeys(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
  return (listed.Contents ?? []).map((object) => object.Key!.slice(prefix.length + 1)).sort();
}

async function openPackStore(dir: string, prefix: string, cacheBytes = 16 * MiB): Promise<S3PackStore> {
  const { endpoint, region, credentials } = s3ClientConfig(started());
  return S3PackStore.open({
    bucket: BUCKET,
    prefix,
    endpoint,
    region,
    client: { credentials },
    stagingDir: join(dir, 'staging'),
    cacheDir: join(dir, 'pack-cache'),
    cacheBytes,
  });
}

function chunkRecord(seed: string, length: number) {
  const payload = seededBytes(seed, length);
  return { type: RecordType.Chunk, codec: Codec.None, key: Buffer.from(sha256(payload).slice(7), 'hex'), rawLength: length, payload };
}

test.serial('a sync seals the open pack and uploads it; reads are ranged; list, size and remove', async (t) => {
  const dir = await tempDir(t);
  const prefix = `unit-${randomUUID()}`;
  const store = await openPackStore(dir, prefix);
  t.teardown(() => store.close());
  const writer = await PackWriter.open(store, { targetPackBytes: 32 * MiB }, undefined, 1);
  const placed = await writer.append([chunkRecord('a', 300_000), chunkRecord('b', 2 * MiB + 17)]);
  t.deepEqual(await objectKeys(prefix), [], 'nothing is uploaded before a sync');
  const durable = await writer.sync();
  t.is(durable.packId, 1);
  t.is(writer.openPackId, 2, 'the sync sealed pack 1');
  t.deepEqual(await objectKeys(prefix), ['packs/00000001.pack']);
  t.deepEqual(await store.list(), [1, 2], 'the staged open pack is listed too');

  // Concurrent commits share seals: far fewer uploads than syncs.
  const before = store.requestCounts().put;
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      await writer.append([chunkRecord(`c${i}`, 1000 + i)]);
      await writer.sync();
    }),
  );
  const uploads = store.requestCounts().put - before;
  t.log(`20 concurrent syncs made ${uploads} uploads`);
  t.true(uploads >= 1 && uploads < 20);

  // A sync with nothing new to make durable uploads nothing.
  const puts = store.requestCounts().put;
  await writer.sync();
  t.is(store.requestCounts().put, puts);
  await writer.close();

  // A fresh store (no local copies) reads by ranged GETs through the cache.
  const dir2 = await tempDir(t);
  const reader = await openPackStore(dir2, prefix);
  t.teardown(() => reader.close());
  const [first, second] = placed;
  t.deepEqual(await reader.read(1, second!.payloadOffset, second!.storedLength), seededBytes('b', 2 * MiB + 17));
  t.deepEqual(await reader.read(1, first!.payloadOffset + 10, 1000), seededBytes('a', 300_000).subarray(10, 1010));
  const gets = reader.requestCounts().get;
  t.deepEqual(await reader.read(1, second!.payloadOffset + MiB, 4096), seededBytes('b', 2 * MiB + 17).subarray(MiB, MiB + 4096));
  t.is(reader.requestCounts().get, gets, 'a warm range costs no request');
  t.true(reader.cacheStats().bytes <= 16 * MiB);
  t.is(await reader.size(1), await store.size(1));
  t.true(isDataLoss(await t.throwsAsync(reader.read(1, (await reader.size(1)) - 10, 20))), 'past the end is DataLoss');

  await reader.remove(1);
  t.false((await reader.list()).includes(1));
  t.false((await objectKeys(prefix)).includes('packs/00000001.pack'));
  t.true(isDataLoss(await t.throwsAsync(reader.read(1, 0, 16))), 'a removed pack reads as DataLoss (the read path looks the chunk up again)');
});

test.serial('a pack is never overwritten: a second upload of the same id is refused', async (t) => {
  const prefix = `overwrite-${randomUUID()}`;
  const stores = await Promise.all([tempDir(t), tempDir(t)].map(async (dir) => openPackStore(await dir, prefix)));
  t.teardown(() => Promise.all(stores.map((store) => store.close())));
  for (const [i, store] of stores.entries()) {
    const appender = await store.create(1);
    await appender.append([seededBytes(`pack-${i}`, 1000)]);
    await appender.sync();
    await appender.close();
    if (i === 0) await appender.publish();
    else t.true(isAlreadyExists(await t.throwsAsync(appender.publish())));
  }
  // The same pack again (an upload whose answer was lost) is not an error.
  const again = await stores[0]!.create(2);
  await again.append([seededBytes('pack-2', 500)]);
  await again.sync();
  await again.close();
  await again.publish();
  await again.publish();
  t.deepEqual(await objectKeys(prefix), ['packs/00000001.pack', 'packs/00000002.pack']);
});

test('the range cache stays within its bound and concurrent misses share one fetch', async (t) => {
  const dir = await tempDir(t);
  const pack = seededBytes('cache', 8 * 4096);
  const fetches: [number, number][] = [];
  const cache = await PackRangeCache.open(
    dir,
    4 * 4096,
    async (_packId, start, length) => {
      fetches.push([start, length]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return pack.subarray(start, start + length);
    },
    1024,
  );
  // Ten readers of one range: one fetch of the two blocks it covers.
  const reads = await Promise.all(Array.from({ length: 10 }, () => cache.read(1, 1000, 1000)));
  for (const bytes of reads) t.deepEqual(bytes, pack.subarray(1000, 2000));
  t.deepEqual(fetches, [[0, 2048]]);
  // Reads across the pack: never more cached than the bound, bytes always right.
  for (let offset = 0; offset < pack.byteLength; offset += 3000) {
    t.deepEqual(await cache.read(1, offset, 2500), pack.subarray(offset, Math.min(offset + 2500, pack.byteLength)));
    t.true(cache.bytes <= 4 * 4096);
  }
  t.true((await readdir(dir)).length <= 16);
  await cache.evict(1);
  t.is(cache.bytes, 0);
  t.deepEqual(await readdir(dir), []);
  await cache.close();
});

test('S3 out of reach is Unavailable, and a bad location is InvalidArgument', async (t) => {
  const dir = await tempDir(t);
  const port = await closedPort();
  const store = await S3PackStore.open({
    bucket: BUCKET,
    prefix: 'down',
    endpoint: `http://127.0.0.1:${port}`,
    client: { credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 },
    stagingDir: join(dir, 'staging'),
    cacheDir: join(dir, 'pack-cache'),
  });
  t.teardown(() => store.close());
  t.true(isUnavailable(await t.throwsAsync(store.list())));
  t.true(isUnavailable(await t.throwsAsync(store.read(1, 0, 100))));
  t.true(isUnavailable(await t.throwsAsync(store.size(1))));
  t.true(isInvalidArgument(t.throws(() => parsePackLocation('s3://'))));
  t.true(isInvalidArgument(t.throws(() => parsePackLocation('http://bucket/prefix'))));
  t.deepEqual(parsePackLocation('s3://my-bucket/a/b/'), { kind: 's3', bucket: 'my-bucket', prefix: 'a/b' });
});

test.serial('one data directory owns a prefix: a second one is refused, the owner reopens', async (t) => {
  const prefix = `owner-${randomUUID()}`;
  const dir = await tempDir(t);
  const store = await openStore(dir, { packs: location(prefix), compressThreads: 0 });
  const data = seededBytes('owned', 500_000);
  const { digest } = await writeBlob(store, [data]);
  await store.close();
  t.deepEqual(await objectKeys(prefix), ['FORMAT', 'packs/00000001.pack']);

  const other = await tempDir(t);
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(other, { packs: location(prefix), compressThreads: 0 }))));
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dir, { packs: { kind: 'local' }, compressThreads: 0 }))), 'the same dir with local packs');
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dir, { packs: location(`${prefix}-moved`), compressThreads: 0 }))));

  const reopened = await openStore(dir, { packs: location(prefix), compressThreads: 0 });
  t.deepEqual(await readBytes(reopened, digest), data);
  await reopened.close();
  // Without a location (admin commands given only the directory): the recorded one.
  const bare = await withCredentials(() => openStore(dir, { compressThreads: 0 }));
  t.teardown(() => bare.close());
  t.deepEqual(await readBytes(bare, digest), data);
});

test.serial('compaction on S3 writes new pack objects, deletes old ones after the index moved, blobs stay exact', async (t) => {
  const prefix = `gc-${randomUUID()}`;
  const dir = await tempDir(t);
  const store = await openStore(dir, { packs: location(prefix), targetPackBytes: MiB, compressThreads: 0 });
  t.teardown(() => store.close());
  const blobs = new Map<string, Buffer>();
  // Written four at a time: their commits share a seal, so packs hold several blobs.
  for (let group = 0; group < 4; group++) {
    const written = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const data = seededBytes(`gc-${group}-${i}`, 200_000 + i);
        return { digest: (await writeBlob(store, [data])).digest, data };
      }),
    );
    for (const { digest, data } of written) blobs.set(digest, data);
  }
  let i = 0;
  for (const digest of [...blobs.keys()]) {
    if (i++ % 4 !== 0) {
      await store.delete(digest);
      blobs.delete(digest);
    }
  }
  const before = await objectKeys(prefix);
  const report = await store.collectGarbage({ minLiveFraction: 0.9 });
  t.log(`gc: ${JSON.stringify(report)}`);
  t.true(report.packsDeleted > 0);
  t.true(report.packsCompacted > 0);
  const after = await objectKeys(prefix);
  t.true(before.filter((key) => !after.includes(key)).length >= report.packsDeleted, 'removed packs are gone from the bucket');
  t.true(after.some((key) => !before.includes(key)), 'survivors were copied to new pack objects');
  for (const [digest, data] of blobs) t.deepEqual(await readBytes(store, digest), data);
  const fsck = await store.fsck();
  t.deepEqual(fsck.damagedBlobs, []);
  t.true(fsck.ok);
});

test.serial('a writer killed at any point: every committed blob reads back exact, fsck clean', async (t) => {
  const prefix = `crash-${randomUUID()}`;
  const dir = await tempDir(t, 'strata-s3-crash-');
  const { endpoint, credentials } = s3ClientConfig(started());
  const env = { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'us-east-1' };
  const promised = { committed: new Map<string, { seed: string; size: number }>(), deleting: new Set<string>(), deleted: new Set<string>() };
  const { committed, deleting, deleted } = promised;
  for (const [round, msAfterReady] of [300, 1500, 2500].entries()) {
    readJournal(await runUntilKilled(CRASH_WRITER, [dir, `r${round}`, `s3://${BUCKET}/${prefix}`, endpoint], { env, kill: { msAfterReady } }), promised);
  }
  t.log(`${committed.size} commits, ${deleted.size} deletes over 3 kills`);
  t.true(committed.size > 5);
  const store = await openStore(dir, { packs: location(prefix), compressThreads: 0 });
  t.teardown(() => store.close());
  t.log(`recovery: ${JSON.stringify(store.openReport)}`);
  for (const [digest, { seed, size }] of committed) {
    if (deleted.has(digest)) {
      t.true(isNotFound(await t.throwsAsync(store.stat(digest))));
      continue;
    }
    if (deleting.has(digest) && (await store.findMissing([digest])).length > 0) continue;
    t.deepEqual(await readBytes(store, digest), seededBytes(seed, size), `${digest} reads back exact`);
  }
  const fsck = await store.fsck();
  t.deepEqual(fsck.damagedBlobs, []);
  t.true(fsck.ok);
});

/** Runs `open` with the cluster's credentials in the AWS_* variables (the SDK's default chain). */
async function withCredentials<T>(open: () => Promise<T>): Promise<T> {
  const { credentials } = s3ClientConfig(started());
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  try {
    return await open();
  } finally {
    restore('AWS_ACCESS_KEY_ID', saved.id);
    restore('AWS_SECRET_ACCESS_KEY', saved.secret);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
