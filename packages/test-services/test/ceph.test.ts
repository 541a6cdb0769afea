import { createHash, randomBytes } from 'node:crypto';
import { access, chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import test from 'ava';
import { errorCode, isUnavailable, StrataError } from '@strata/errors';
import { type CephCluster, isRunning, s3ClientConfig, startCeph } from '@strata/test-services';

const MiB = 1024 * 1024;
const OBJECT_SIZE = 40 * MiB;
const PART_SIZE = 8 * MiB;
const BUCKET = 'strata-packs';

// One cluster for the file: it takes seconds to start. The tests share its
// bucket, so they run in order; after.always stops it whatever happened.
let cluster: CephCluster | undefined;
let s3: S3Client;
const content = randomBytes(OBJECT_SIZE);

test.before(async () => {
  cluster = await startCeph();
  s3 = new S3Client(s3ClientConfig(cluster));
});

test.after.always(async () => {
  s3?.destroy();
  await cluster?.stop();
});

function started(): CephCluster {
  if (cluster === undefined) throw new Error('the cluster did not start');
  return cluster;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hashes a response body as it streams in, never holding it whole. */
async function streamedSha256(body: unknown): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of body as AsyncIterable<Uint8Array>) {
    hash.update(piece);
    bytes += piece.length;
  }
  return { digest: hash.digest('hex'), bytes };
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

test.serial('radosgw serves S3 on loopback with the user it was started with', async (t) => {
  const { endpoint, startMs, memory, dir, processes } = started();
  t.log(`Ceph (mon, OSD, radosgw) started in ${startMs} ms; resident memory ${(memory().total / MiB).toFixed(0)} MiB`);
  t.is(new URL(endpoint).hostname, '127.0.0.1');
  t.true(await exists(dir));
  t.deepEqual(
    processes.map((owned) => [owned.name, isRunning(owned)]),
    [
      ['ceph-mon', true],
      ['ceph-osd', true],
      ['radosgw', true],
    ],
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  t.deepEqual(Buckets?.map((bucket) => bucket.Name), [BUCKET]);
});

test.serial('a 40 MiB object goes up in parts from a stream and comes back whole and in ranges', async (t) => {
  const upload = new Upload({
    client: s3,
    params: { Bucket: BUCKET, Key: 'packs/p1.pack', Body: Readable.from(pieces(content, MiB)) },
    partSize: PART_SIZE,
    queueSize: 2,
  });
  await upload.done();

  // The complete response carries no ETag on RGW 16: HEAD has the multipart one.
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'packs/p1.pack' }));
  t.is(head.ContentLength, OBJECT_SIZE);
  t.regex(head.ETag ?? '', /^"[0-9a-f]{32}-5"$/);

  const whole = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'packs/p1.pack' }));
  t.deepEqual(await streamedSha256(whole.Body), { digest: sha256(content), bytes: OBJECT_SIZE });

  const ranges: Array<[number, number]> = [
    [0, 0],
    [PART_SIZE - 4096, PART_SIZE + 4095], // across the first part boundary
    [3 * MiB + 17, 29 * MiB + 5],
    [OBJECT_SIZE - 100, OBJECT_SIZE - 1],
  ];
  for (const [first, last] of ranges) {
    const ranged = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'packs/p1.pack', Range: `bytes=${first}-${last}` }));
    t.is(ranged.$metadata.httpStatusCode, 206);
    t.is(ranged.ContentRange, `bytes ${first}-${last}/${OBJECT_SIZE}`);
    t.deepEqual(await streamedSha256(ranged.Body), { digest: sha256(content.subarray(first, last + 1)), bytes: last - first + 1 });
  }
});

test.serial('conditional PUTs: If-None-Match * and an unquoted If-Match work; a quoted If-Match is refused', async (t) => {
  const key = 'conditional';
  const first = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'one', IfNoneMatch: '*' }));
  t.regex(first.ETag ?? '', /^"[0-9a-f]{32}"$/);

  const exists412 = await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two', IfNoneMatch: '*' })));
  t.is(httpStatus(exists412), 412);

  // S3 takes the ETag as returned, quotes and all; RGW 16 compares it without them and answers 412.
  const quoted = await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two', IfMatch: first.ETag })));
  t.is(httpStatus(quoted), 412);

  const unquoted = first.ETag!.replaceAll('"', '');
  const second = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two', IfMatch: unquoted }));
  t.not(second.ETag, first.ETag);

  // The first ETag is stale now; a key that does not exist matches no ETag either.
  const stale = await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'three', IfMatch: unquoted })));
  t.is(httpStatus(stale), 412);
  const missing = await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never-written', Body: 'x', IfMatch: unquoted })));
  t.is(httpStatus(missing), 412);

  const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  t.is(await body.Body?.transformToString(), 'two');
});

test.serial('RGW 16 gaps: CompleteMultipartUpload ignores If-None-Match, its ETag is empty, GET ignores partNumber', async (t) => {
  const key = 'conditional';
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const part1 = content.subarray(0, 5 * MiB);
  const part2 = content.subarray(5 * MiB, 5 * MiB + 1000);
  const parts = [];
  for (const [index, body] of [part1, part2].entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: body }));
    parts.push({ PartNumber: index + 1, ETag });
  }
  // S3 would answer 412: the key exists. RGW 16 replaces the object.
  const completed = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: parts } }),
  );
  t.is(completed.$metadata.httpStatusCode, 200);
  t.falsy(completed.ETag);
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  t.is(head.ContentLength, part1.length + part2.length);
  t.regex(head.ETag ?? '', /-2"$/);

  // S3 would send part 2 alone (206, PartsCount 2); RGW 16 sends the whole object: readers use ranges.
  const byPart = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2 }));
  t.is(byPart.$metadata.httpStatusCode, 200);
  t.is(byPart.ContentLength, part1.length + part2.length);
  t.is(byPart.PartsCount, undefined);
  await byPart.Body?.transformToByteArray();
});

test.serial('a second cluster runs beside the first, on its own ports and directory, with its own data', async (t) => {
  const first = started();
  const second = await startCeph();
  t.teardown(() => second.stop());
  t.log(`second cluster started in ${second.startMs} ms while the first ran`);
  t.not(second.endpoint, first.endpoint);
  t.not(second.dir, first.dir);
  const client = new S3Client(s3ClientConfig(second));
  t.teardown(() => client.destroy());
  const { Buckets } = await client.send(new ListBucketsCommand({}));
  t.deepEqual(Buckets ?? [], []);

  await second.stop();
  t.false(await exists(second.dir));
  t.true(second.processes.every((owned) => !isRunning(owned)));
  t.true(first.processes.every((owned) => isRunning(owned)));
});

test.serial('deleting objects and the bucket', async (t) => {
  for (const key of ['packs/p1.pack', 'conditional']) {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const gone = await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
    t.is(httpStatus(gone), 404);
  }
  await s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
  const { Buckets } = await s3.send(new ListBucketsCommand({}));
  t.deepEqual(Buckets ?? [], []);
});

test.serial('stop ends every daemon and removes the directory, and may be called again', async (t) => {
  const running = started();
  const { daemons, total } = running.memory();
  t.log(`resident memory after the tests: ${Object.entries(daemons).map(([name, bytes]) => `${name} ${(bytes / MiB).toFixed(0)} MiB`).join(', ')}; total ${(total / MiB).toFixed(0)} MiB`);
  await running.stop();
  t.true(running.processes.every((owned) => !isRunning(owned)));
  t.false(await exists(running.dir));
  await t.notThrowsAsync(running.stop());
});

test('a cluster that cannot start fails with Unavailable, carries the logs, and leaves nothing behind', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'strata-test-services-'));
  t.teardown(() => rm(parent, { recursive: true, force: true }));
  await chmod(parent, 0o755);
  // Far too small a block file for bluestore: the OSD's mkfs fails.
  const error = await t.throwsAsync(startCeph({ parentDir: parent, osdSizeBytes: 1024 * 1024 }));
  t.true(isUnavailable(error), errorCode(error));
  t.true(error instanceof StrataError);
  const { logTail } = (error as StrataError).details;
  t.true(typeof logTail === 'string' && logTail.length > 0);
  t.deepEqual(await readdir(parent), []);
});

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
