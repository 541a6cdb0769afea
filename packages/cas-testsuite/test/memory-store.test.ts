import test from 'ava';
import { digestBytes } from '@strata/digest';
import { isDataLoss, isFailedPrecondition, isUnavailable } from '@strata/errors';
import { createMemoryStore, runContentStoreSuite, sameBytes, seededBytes, withFaults } from '@strata/cas-testsuite';

const MiB = 1024 * 1024;

runContentStoreSuite(
  test,
  async () => {
    const store = createMemoryStore();
    return { store, admin: store, cleanup: () => store.close() };
  },
  {
    name: 'memory',
    // The fake keeps every blob in memory by design, so the blob itself counts against the bound.
    largeBlobRssHeadroomBytes: 200 * MiB + 256 * MiB,
  },
);

// The decorator without faults must be invisible: the whole suite passes through it.
runContentStoreSuite(
  test,
  async () => {
    const store = createMemoryStore();
    return { store: withFaults(store, []), cleanup: () => store.close() };
  },
  { name: 'memory through withFaults', largeBlobBytes: 32 * MiB, largeBlobRssHeadroomBytes: 200 * MiB + 32 * MiB },
);

test('a closed memory store refuses further calls and closes idempotently', async (t) => {
  const store = createMemoryStore();
  await store.close();
  await store.close();
  const error = await t.throwsAsync(store.stat(digestBytes(new Uint8Array())));
  t.true(isFailedPrecondition(error));
});

test('memory store: a writer whose write was aborted by ref refuses to go on', async (t) => {
  const store = createMemoryStore();
  const writer = await store.writer('gone');
  await writer.write(Buffer.from('abc'));
  await store.abortIngest('gone');
  t.true(isFailedPrecondition(await t.throwsAsync(writer.write(Buffer.from('d')))));
  t.true(isFailedPrecondition(await t.throwsAsync(writer.commit())));
  await writer.abort();
  await store.close();
});

test('memory store: stats and fsck figures', async (t) => {
  const store = createMemoryStore();
  const bytes = seededBytes('stats', 1000);
  const writer = await store.writer('stats');
  await writer.write(bytes);
  await writer.commit();
  const progress: number[] = [];
  t.deepEqual(await store.stats(), {
    blobs: 1,
    chunks: 1,
    logicalBytes: 1000,
    uniqueBytes: 1000,
    storedBytes: 1000,
    dedupRatio: 1,
    garbageChunks: 0,
    garbageBytes: 0,
    packs: 0,
  });
  const report = await store.fsck({ onProgress: ({ done }) => progress.push(done) });
  t.deepEqual(report, { ok: true, chunksChecked: 1, blobsChecked: 1, damage: [], damagedBlobs: [] });
  t.deepEqual(progress, [1]);
  await store.close();
});

test('withFaults fails the nth call of an operation and counts calls', async (t) => {
  const inner = createMemoryStore();
  const writer = await inner.writer('x');
  await writer.write(seededBytes('faults', 100));
  const { digest } = await writer.commit();
  const store = withFaults(inner, [{ kind: 'fail', op: 'stat', nth: 2, code: 'Unavailable' }]);

  t.is((await store.stat(digest)).size, 100);
  const error = await t.throwsAsync(store.stat(digest));
  t.true(isUnavailable(error));
  t.is((await store.stat(digest)).size, 100);
  t.is(store.calls('stat'), 3);
  t.is(store.calls('read'), 0);
  await inner.close();
});

test('withFaults: a failed write reaches nothing, and a retry at the same offset completes the blob', async (t) => {
  const inner = createMemoryStore();
  const store = withFaults(inner, [{ kind: 'fail', op: 'write', nth: 2, code: 'Unavailable' }]);
  const bytes = seededBytes('retry', 3000);
  const writer = await store.writer('retry');
  await writer.write(bytes.subarray(0, 1000));
  t.true(isUnavailable(await t.throwsAsync(writer.write(bytes.subarray(1000, 2000), 1000))));
  t.is(writer.offset, 1000);
  t.is((await inner.status('retry')).offset, 1000);
  await writer.write(bytes.subarray(1000, 2000), 1000);
  await writer.write(bytes.subarray(2000), 2000);
  t.deepEqual(await writer.commit({ digest: digestBytes(bytes) }), { digest: digestBytes(bytes), size: 3000, created: true });
  t.is(store.calls('write'), 4);
  t.is(store.calls('commit'), 1);
  await inner.close();
});

test('withFaults: every call fails when the fault names no call', async (t) => {
  const inner = createMemoryStore();
  const store = withFaults(inner, [{ kind: 'fail', op: 'list', code: 'Unavailable' }]);
  for (let i = 0; i < 3; i++) {
    const error = await t.throwsAsync(async () => {
      for await (const blob of store.list()) t.fail(`listed ${blob.digest}`);
    });
    t.true(isUnavailable(error));
  }
  t.is(store.calls('list'), 3);
  await inner.close();
});

async function storedBlob(size: number) {
  const inner = createMemoryStore();
  const bytes = seededBytes(`stream-${size}`, size);
  const writer = await inner.writer('blob');
  await writer.write(bytes);
  const { digest } = await writer.commit();
  return { inner, bytes, digest };
}

async function received(body: NodeJS.ReadableStream): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of body) pieces.push(Buffer.from(piece as Uint8Array));
  return Buffer.concat(pieces);
}

test('withFaults truncates a read body without an error', async (t) => {
  const { inner, bytes, digest } = await storedBlob(300 * 1024);
  const store = withFaults(inner, [{ kind: 'truncate-read', nth: 1, afterBytes: 100_000 }]);
  const read = await store.read(digest);
  t.is(read.length, bytes.byteLength, 'the announced length is unchanged');
  sameBytes(t, await received(read.body), bytes.subarray(0, 100_000));
  sameBytes(t, await received((await store.read(digest)).body), bytes, 'the second read is whole');
  await inner.close();
});

test('withFaults corrupts one byte of a read body and leaves the store intact', async (t) => {
  const { inner, bytes, digest } = await storedBlob(200 * 1024);
  const store = withFaults(inner, [{ kind: 'corrupt-read', atByte: 70_000 }]);
  const got = await received((await store.read(digest, { offset: 10 })).body);
  const want = Buffer.from(bytes.subarray(10));
  t.is(got.byteLength, want.byteLength);
  t.not(got[70_000], want[70_000]);
  got[70_000] = want[70_000] ?? 0;
  sameBytes(t, got, want);
  t.is(digestBytes(await received((await inner.read(digest)).body)), digest);
  await inner.close();
});

test('withFaults fails a read body midway with the given code', async (t) => {
  const { inner, bytes, digest } = await storedBlob(300 * 1024);
  const store = withFaults(inner, [{ kind: 'fail-read', afterBytes: 150_000, code: 'DataLoss' }]);
  const read = await store.read(digest);
  const pieces: Buffer[] = [];
  const error = await t.throwsAsync(async () => {
    for await (const piece of read.body) pieces.push(piece as Buffer);
  });
  t.true(isDataLoss(error));
  sameBytes(t, Buffer.concat(pieces), bytes.subarray(0, 150_000));
  await inner.close();
});
