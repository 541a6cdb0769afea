import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobWriter } from '@strata/cas';
import { isDataLoss, isUnavailable } from '@strata/errors';
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

/** A directory of text files (seeded, so compressible and reproducible) as a GNU tar, owners and times fixed. */
async function textTar(dir: string, name: string, files: number, changed: number): Promise<Buffer> {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  const words = ['layer', 'chunk', 'digest', 'manifest', 'registry', 'tar', 'gzip', 'blob', 'pack', 'index', 'store', 'pull'];
  for (let file = 0; file < files; file++) {
    let seed = file === changed ? 7919 : file + 1;
    const lines: string[] = [];
    for (let line = 0; line < 400; line++) {
      const row: string[] = [];
      for (let word = 0; word < 8; word++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        row.push(words[seed % words.length]! + (seed % 97));
      }
      lines.push(row.join(' '));
    }
    await writeFile(join(root, `file-${String(file).padStart(4, '0')}.txt`), `${lines.join('\n')}\n`);
  }
  return execFileSync('tar', ['-C', root, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', '-', '.'], { maxBuffer: 1 << 30 });
}

test('an expanded layer pulls by chunks next to a similar layer tar: only the changed content travels, and the gzip bytes are rebuilt bit-exact', async (t) => {
  const dir = await tempDir(t);
  const server = await startCas(join(dir, 'data'), ['--expand-layers']);
  t.teardown(() => server.stop());
  const proxy = await startProxy(server.port);
  t.teardown(() => proxy.close());
  const store = connectContentStore(proxy.address);
  t.teardown(() => store.close());

  const held = await textTar(dir, 'v1', 150, -1);
  const next = await textTar(dir, 'v2', 150, 75);
  const layer = execFileSync('gzip', ['-n', '-6', '-c'], { input: next, maxBuffer: 1 << 30 });
  const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const writer = await store.writer('layer', { expected: { size: layer.length, digest } });
  await writer.write(layer);
  await writer.commit();
  let recipe = await store.getRecipe(digest);
  for (let i = 0; i < 300 && !recipe.expanded; i++) {
    await sleep(200);
    recipe = await store.getRecipe(digest);
  }
  t.truthy(recipe.expanded, 'the server expanded the layer');
  t.is(recipe.expanded!.codec, 'gzip');
  t.is(recipe.expanded!.plainSize, next.length);
  t.is(recipe.expanded!.plain.reduce((sum, chunk) => sum + chunk.length, 0), next.length);
  t.true(recipe.inline, 'a client that does not know expanded layers reads the blob whole');

  const heldPath = join(dir, 'v1.tar');
  await writeFile(heldPath, held);
  const local = await fileChunkSource(heldPath, await store.chunking(), { tar: true });
  t.teardown(() => local.close());
  proxy.reset();
  const pulledPath = join(dir, 'pulled.tar.gz');
  const pull = await pullByChunks(store, digest, local, pulledPath);
  t.log(`expanded pull: ${pull.bytesReceived} chunk bytes fetched, ${pull.reusedBytes} reused, ${proxy.downBytes} bytes on the wire for a ${layer.length}-byte layer`);
  t.true((await readFile(pulledPath)).equals(layer));
  t.deepEqual(pull.rebuilt, { codec: 'gzip', plainSize: next.length });
  t.true(pull.reusedBytes > 0.8 * next.length, `${pull.reusedBytes} of ${next.length} plaintext bytes reused`);
  t.true(proxy.downBytes < 0.5 * layer.length, `${proxy.downBytes} bytes on the wire`);
  // The fetched chunks crossed the wire as the store's zstd frames: fewer bytes than they hold.
  t.true(proxy.downBytes < pull.bytesReceived, `${proxy.downBytes} bytes on the wire for ${pull.bytesReceived} bytes of chunks`);

  // With nothing held locally every chunk is fetched, and the bytes still rebuild exactly (here on this thread).
  const nothing = { get: async () => undefined };
  const whole = await pullByChunks(store, digest, nothing, join(dir, 'whole.tar.gz'), { rebuildThreads: 0 });
  t.is(whole.reusedBytes, 0);
  t.true((await readFile(join(dir, 'whole.tar.gz'))).equals(layer));

  // A local source that hands back wrong bytes gives a layer that fails its digest: DataLoss, and no file left.
  const lying = { get: async (chunk: string) => (chunk === recipe.expanded!.plain[0]!.digest ? Buffer.alloc(recipe.expanded!.plain[0]!.length, 0x41) : undefined) };
  const damaged = join(dir, 'damaged.tar.gz');
  const error = await t.throwsAsync(pullByChunks(store, digest, lying, damaged));
  t.true(isDataLoss(error), String(error));
  await t.throwsAsync(readFile(damaged), { code: 'ENOENT' });
});

test('a pull by chunks fetches in bounded batches, repeats a chunk from one fetch, and fetches what the local source no longer gives', async (t) => {
  const { dir, proxy, store } = await behindProxy(t);
  // 20 MiB, the same 20 MiB again, then 20 MiB more: 40 MiB of distinct chunks to fetch, more than one batch.
  const first = randomBytes(20 * MiB);
  const blob = Buffer.concat([first, first, randomBytes(20 * MiB)]);
  const path = join(dir, 'blob');
  await writeFile(path, blob);
  const pushed = await pushFileByChunks(store, path);
  proxy.reset();
  // The store, with each ReadChunks call's chunk count recorded.
  const batches: number[] = [];
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === 'readChunks') {
        return (digests: string[], options?: { signal?: AbortSignal }) => (batches.push(digests.length), target.readChunks(digests, options));
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const nothing = { get: async () => undefined };
  const whole = await pullByChunks(counted, pushed.digest, nothing, join(dir, 'whole'));
  t.true((await readFile(join(dir, 'whole'))).equals(blob));
  t.is(whole.reusedBytes, 0);
  const { avgSize } = await store.chunking();
  t.true(batches.length >= 3, `${batches.length} ReadChunks calls`);
  t.true(Math.max(...batches) * avgSize < 40 * MiB, `batches of ${batches.join(', ')} chunks`);
  t.true(whole.bytesReceived < 41 * MiB, `${whole.bytesReceived} bytes fetched: each distinct chunk once`);
  t.true(proxy.downBytes < 42 * MiB);

  // A source that claims every chunk of its file but hands back none of them: the pull fetches them all and still succeeds.
  const claimed = await fileChunkSource(path, await store.chunking());
  t.teardown(() => claimed.close());
  const fickle = { has: claimed.has, get: async () => undefined };
  const fetched = await pullByChunks(store, pushed.digest, fickle, join(dir, 'fickle'));
  t.true((await readFile(join(dir, 'fickle'))).equals(blob));
  t.is(fetched.reusedBytes, 0);
  // With the source giving its chunks, nothing is fetched.
  const reused = await pullByChunks(store, pushed.digest, claimed, join(dir, 'reused'));
  t.is(reused.bytesReceived, 0);
  t.is(reused.reusedBytes, blob.length);
  t.true((await readFile(join(dir, 'reused'))).equals(blob));
});
