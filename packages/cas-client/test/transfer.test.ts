import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobWriter } from '@strata/cas';
import { isUnavailable } from '@strata/errors';
import { connectContentStore, fileChunkSource, pullByChunks, pushFileByChunks, type RemoteContentStore } from '../src/index.ts';
import { BlockBytes, MiB, KiB, startCas, startProxy, tempDir } from './support.ts';

/** Opens `ref` again once the server has let go of the stream the cut left behind. */
async function reopen(store: RemoteContentStore, ref: string): Promise<BlobWriter> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.writer(ref);
    } catch (error) {
      if (!isUnavailable(error) || attempt === 100) throw error;
      await sleep(100);
    }
  }
}

/** A `strata cas` server in a temp dir, and a client reaching it through a counting, cuttable TCP proxy. */
async function behindProxy(t: ExecutionContext) {
  const dir = await tempDir(t);
  const server = await startCas(join(dir, 'data'));
  t.teardown(() => server.stop());
  const proxy = await startProxy(server.port);
  t.teardown(() => proxy.close());
  const store = connectContentStore(proxy.address);
  t.teardown(() => store.close());
  return { dir, proxy, store };
}

test('a 256 MiB write cut mid-stream resumes at the offset the server reports and reads back bit-exact', async (t) => {
  const { proxy, store } = await behindProxy(t);

  const size = 256 * MiB;
  const content = new BlockBytes(randomBytes(MiB));
  const expected = createHash('sha256');
  for (const piece of content.range(0, size)) expected.update(piece);
  const digest = `sha256:${expected.digest('hex')}`;

  const first = await store.writer('big-upload', { expected: { size, digest } });
  let cutAt = 0;
  await t.throwsAsync(async () => {
    for (const piece of content.range(0, size)) {
      await first.write(piece);
      if (cutAt === 0 && first.offset >= 100 * MiB) {
        cutAt = first.offset;
        proxy.cut();
      }
    }
    await first.commit();
  });
  t.true(cutAt > 0);

  const resumed = await reopen(store, 'big-upload');
  t.true(resumed.offset > 0 && resumed.offset <= cutAt, `resumed at ${resumed.offset}, cut after ${cutAt}`);
  t.log(`cut after ${cutAt / MiB} MiB sent, resumed at ${(resumed.offset / MiB).toFixed(2)} MiB`);
  for (const piece of content.range(resumed.offset, size)) await resumed.write(piece, resumed.offset);
  t.deepEqual(await resumed.commit(), { digest, size, created: true });

  const read = await store.read(digest);
  const actual = createHash('sha256');
  let length = 0;
  for await (const piece of read.body as AsyncIterable<Buffer>) {
    actual.update(piece);
    length += piece.byteLength;
  }
  t.is(length, size);
  t.is(`sha256:${actual.digest('hex')}`, digest);
  t.deepEqual(await store.listIngests(), []);
});

test('a chunk-aware push of a new version sends only the changed chunks, and a pull reuses local chunks', async (t) => {
  const { dir, proxy, store } = await behindProxy(t);

  const size = 100 * MiB;
  const v1 = randomBytes(size);
  // The second version: a few KiB inserted in three places.
  const inserts = [10 * MiB, 50 * MiB, 90 * MiB];
  const pieces: Buffer[] = [];
  let from = 0;
  for (const at of inserts) {
    pieces.push(v1.subarray(from, at), randomBytes(2 * KiB));
    from = at;
  }
  pieces.push(v1.subarray(from));
  const v2 = Buffer.concat(pieces);
  const v1Path = join(dir, 'v1');
  const v2Path = join(dir, 'v2');
  await writeFile(v1Path, v1);
  await writeFile(v2Path, v2);

  const first = await pushFileByChunks(store, v1Path);
  t.true(first.created);
  t.is(first.bytesSent, size);

  proxy.reset();
  const second = await pushFileByChunks(store, v2Path);
  const wire = proxy.upBytes;
  t.true(second.created);
  t.is(second.size, v2.byteLength);
  t.is(second.digest, `sha256:${createHash('sha256').update(v2).digest('hex')}`);
  t.log(
    `second version: ${second.missingChunks} of ${second.chunks} chunks sent, ${second.bytesSent} chunk bytes, ` +
      `${wire} bytes on the wire client→server = ${((wire / v2.byteLength) * 100).toFixed(2)}% of ${v2.byteLength}`,
  );
  t.true(wire < 0.05 * v2.byteLength, `sent ${wire} bytes on the wire`);

  // Pull the second version next to a local copy of the first: only the changed chunks travel.
  const local = await fileChunkSource(v1Path, await store.chunking());
  t.teardown(() => local.close());
  proxy.reset();
  const pulledPath = join(dir, 'v2-pulled');
  const pull = await pullByChunks(store, second.digest, local, pulledPath);
  t.log(`pull: ${pull.bytesReceived} chunk bytes fetched, ${pull.reusedBytes} reused, ${proxy.downBytes} bytes on the wire server→client`);
  t.true(proxy.downBytes < 0.05 * v2.byteLength);
  t.true((await readFile(pulledPath)).equals(v2));
});
