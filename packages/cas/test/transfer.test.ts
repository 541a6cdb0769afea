import test from 'ava';
import { cutPoints } from '@strata/chunker';
import { createHash } from 'node:crypto';
import { isAlreadyExists, isDataLoss, isDigestMismatch, isFailedPrecondition, isInvalidArgument, isNotFound, isSizeMismatch } from '@strata/errors';
import { decodeZstdChunk, openStore, readBytes, writeBlob, type StoredChunk } from '@strata/cas';
import { pieces, seededBytes, sha256, tempDir } from './support.ts';

const MiB = 1024 * 1024;
const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function chunksOf(data: Buffer, options: { minSize: number; avgSize: number; maxSize: number }) {
  let start = 0;
  return cutPoints(data, options).map((end) => {
    const chunk = data.subarray(start, end);
    start = end;
    return { digest: hex(chunk), length: chunk.byteLength, data: chunk };
  });
}

test('a blob moves as the chunks the store lacks, and commits from its recipe', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const base = seededBytes('base', 8 * MiB);
  await writeBlob(store, pieces(base));
  const next = Buffer.concat([base.subarray(0, 4 * MiB), seededBytes('new', 4096), base.subarray(4 * MiB)]);
  const chunks = chunksOf(next, await store.chunking());
  const missing = await store.findMissingChunks(chunks.map((c) => c.digest));
  t.true(missing.length > 0 && missing.length <= 3, `${missing.length} missing`);
  const lease = await store.createLease({ ttlMs: 60_000 });
  const sent = chunks.filter((c) => missing.includes(c.digest));
  t.deepEqual(await store.putChunks(sent, { lease: lease.id }), sent.map((c) => c.digest));
  t.deepEqual(await store.findMissingChunks(chunks.map((c) => c.digest)), []);
  const result = await store.commitRecipe({ digest: sha256(next), size: next.byteLength }, chunks, { lease: lease.id });
  t.true(result.created);
  t.deepEqual(await readBytes(store, sha256(next), 16 * MiB), next);
  const recipe = await store.getRecipe(sha256(next));
  t.deepEqual(recipe.chunks, chunks.map(({ digest, length }) => ({ digest, length })));
  const back: Buffer[] = [];
  for await (const { data } of store.readChunks(missing)) back.push(data);
  t.deepEqual(Buffer.concat(back), Buffer.concat(sent.map((c) => c.data)));
  await store.releaseLease(lease.id);
  t.true((await store.fsck()).ok);
});

test('chunk transfer refuses bad input and leaves the store consistent', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const data = seededBytes('bad', 2 * MiB);
  const chunks = chunksOf(data, await store.chunking());
  t.true(isDigestMismatch(await t.throwsAsync(store.putChunks([{ digest: hex(Buffer.from('x')), data: chunks[0]!.data }]))));
  t.true(isInvalidArgument(await t.throwsAsync(store.putChunks([{ digest: 'nothex', data: chunks[0]!.data }]))));
  t.true(isInvalidArgument(await t.throwsAsync(store.putChunks([{ data: new Uint8Array() }]))));
  const missing = await t.throwsAsync(store.commitRecipe({ digest: sha256(data), size: data.byteLength }, chunks));
  t.true(isFailedPrecondition(missing));
  await store.putChunks(chunks);
  t.true(isSizeMismatch(await t.throwsAsync(store.commitRecipe({ digest: sha256(data), size: 1 }, chunks))));
  t.true(isDigestMismatch(await t.throwsAsync(store.commitRecipe({ digest: sha256(Buffer.from('other')), size: data.byteLength }, chunks))));
  t.true(isNotFound(await t.throwsAsync(store.getRecipe(sha256(data)))));
  t.true(isNotFound(await t.throwsAsync(store.putChunks(chunks, { lease: 'no-such-lease' }))));
  const stats = await store.stats();
  t.is(stats.blobs, 0);
  t.is(stats.garbageChunks, chunks.length);
  t.true((await store.fsck()).ok);
});

test('leases are created once, listed, expire and are released', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const lease = await store.createLease({ id: 'build-42', ttlMs: 60_000, labels: { job: '42' } });
  t.is(lease.id, 'build-42');
  t.true(isAlreadyExists(await t.throwsAsync(store.createLease({ id: 'build-42' }))));
  await store.createLease({ id: 'short', ttlMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.deepEqual((await store.listLeases()).map((l) => l.id), ['build-42']);
  await writeBlob(store, [Buffer.from('leased')], {});
  const writer = await store.writer('with-lease', { lease: 'build-42' });
  await writer.write(Buffer.from('under a lease'));
  await writer.commit();
  t.true(isNotFound(await t.throwsAsync(store.writer('bad-lease', { lease: 'short' }))));
  await store.releaseLease('build-42');
  t.true(isNotFound(await t.throwsAsync(store.releaseLease('build-42'))));
});

test('a closed write resumes after the store is closed and opened again', async (t) => {
  const dir = await tempDir(t);
  const data = seededBytes('resume', 6 * MiB + 12345);
  let store = await openStore(dir);
  let writer = await store.writer('upload-1', { expected: { digest: sha256(data) } });
  await writer.write(data.subarray(0, 2 * MiB + 777));
  await writer.close();
  await store.close();

  store = await openStore(dir);
  t.is((await store.status('upload-1')).offset, 2 * MiB + 777);
  t.deepEqual((await store.listIngests()).map((s) => s.ref), ['upload-1']);
  writer = await store.writer('upload-1');
  t.is(writer.offset, 2 * MiB + 777);
  await writer.write(data.subarray(2 * MiB + 777, 5 * MiB), 2 * MiB + 777);
  // Closing the store with the write open saves it too.
  await store.close();

  store = await openStore(dir);
  t.teardown(() => store.close());
  writer = await store.writer('upload-1');
  t.is(writer.offset, 5 * MiB);
  await writer.write(data.subarray(5 * MiB));
  const result = await writer.commit();
  t.is(result.digest, sha256(data));
  t.deepEqual(await readBytes(store, sha256(data), 8 * MiB), data);
  t.true(isNotFound(await t.throwsAsync(store.status('upload-1'))));
  t.deepEqual(await store.listIngests(), []);
  t.true((await store.fsck()).ok);
});

test('an aborted saved write is gone after a reopen', async (t) => {
  const dir = await tempDir(t);
  let store = await openStore(dir);
  const writer = await store.writer('gone');
  await writer.write(seededBytes('gone', MiB));
  await writer.close();
  await store.abortIngest('gone');
  await store.close();
  store = await openStore(dir);
  t.teardown(() => store.close());
  t.true(isNotFound(await t.throwsAsync(store.status('gone'))));
  const fresh = await store.writer('gone');
  t.is(fresh.offset, 0);
  await fresh.abort();
});

test('stored chunks go out as their zstd frames when compressed, raw otherwise, and decode back checked', async (t) => {
  const store = await openStore(await tempDir(t));
  t.teardown(() => store.close());
  const text = Buffer.from('strata stores each distinct chunk once. '.repeat(2000));
  const noise = seededBytes('stored chunks', 64 * 1024);
  const digests = await store.putChunks([{ data: text }, { data: noise }]);
  const stored: StoredChunk[] = [];
  for await (const chunk of store.readStoredChunks(digests)) stored.push(chunk);
  t.deepEqual(stored.map(({ digest, zstd, rawLength }) => ({ digest, zstd, rawLength })), [
    { digest: digests[0], zstd: true, rawLength: text.length },
    { digest: digests[1], zstd: false, rawLength: noise.length },
  ]);
  t.true(stored[0]!.data.length < text.length / 10, 'the frame is what the pack holds');
  t.true(decodeZstdChunk(stored[0]!.data, text.length, digests[0]!).equals(text));
  t.true(stored[1]!.data.equals(noise));
  // A frame that does not decode to the digest's bytes, or a wrong length, is DataLoss; a missing chunk NotFound.
  const damaged = Buffer.from(stored[0]!.data);
  damaged[damaged.length - 5] = damaged[damaged.length - 5]! ^ 0xff;
  t.true(isDataLoss(t.throws(() => decodeZstdChunk(damaged, text.length, digests[0]!))));
  t.true(isDataLoss(t.throws(() => decodeZstdChunk(stored[0]!.data, text.length + 1, digests[0]!))));
  t.true(isDataLoss(t.throws(() => decodeZstdChunk(stored[0]!.data, text.length, sha256(noise).slice(7)))));
  t.true(isNotFound(await t.throwsAsync(async () => {
    for await (const chunk of store.readStoredChunks(['ab'.repeat(32)])) void chunk;
  })));
});
