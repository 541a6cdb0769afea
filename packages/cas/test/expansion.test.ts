import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isInvalidArgument, isNotFound } from '@strata/errors';
import { expandLayer, openStore, readBytes, writeBlob, type Engine } from '@strata/cas';
import { gzipSync } from 'node:zlib';
import { filesUnder, gnuTar, producers, zstdOneShot } from './fixtures/layers.ts';
import { sha256, tempDir } from './support.ts';

const EXPANDER = fileURLToPath(new URL('./fixtures/expand-writer.ts', import.meta.url));

interface Layer {
  name: string;
  bytes: Buffer;
  digest: string;
}

// Two real trees, each made into a layer by every producer.
const sources = [
  { root: '/usr/share/doc', files: filesUnder('/usr/share/doc', 1_000_000) },
  { root: '/usr/lib/python3', files: filesUnder('/usr/lib/python3', 700_000, 200) },
];
const layers: Promise<Layer[]> = (async () => {
  const made: Layer[] = [];
  for (const [i, { root, files }] of sources.entries()) {
    const tar = gnuTar(root, files);
    for (const producer of producers) {
      const bytes = await producer.compress(tar);
      made.push({ name: `${producer.name} (tree ${i})`, bytes, digest: sha256(bytes) });
    }
  }
  return made;
})();

async function put(engine: Engine, bytes: Buffer): Promise<string> {
  return (await writeBlob(engine, [bytes], { digest: sha256(bytes), size: bytes.byteLength })).digest;
}

async function readRange(engine: Engine, digest: string, offset: number, length: number): Promise<Buffer> {
  const read = await engine.read(digest, { offset, length });
  const pieces: Buffer[] = [];
  for await (const piece of read.body) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/** Offsets spread over the blob, including its ends. */
function offsetsOf(size: number): number[] {
  const offsets = [0, 1, 9, 10, 4096, size - 1, size - 8, Math.max(0, size - 70_000)];
  for (let i = 1; i < 12; i++) offsets.push(Math.floor((size * i * 7919) / (12 * 7919)) + i * 13);
  return offsets.filter((offset) => offset >= 0 && offset < size);
}

test('every layer reads back bit-exact, whole and in ranges, expanded or not', async (t) => {
  const dir = await tempDir(t);
  const engine = await openStore(dir);
  t.teardown(() => engine.close());
  const expanded: string[] = [];
  for (const layer of await layers) {
    await put(engine, layer.bytes);
    const result = await engine.expandBlob(layer.digest);
    t.not(result.outcome, 'skipped', layer.name);
    if (result.outcome === 'expanded') expanded.push(layer.name);
    // Every gzip producer is rebuilt exactly, as is libzstd output made by the library strata links.
    if (!layer.name.startsWith('zstd cli')) t.is(result.outcome, 'expanded', `${layer.name}: ${result.reason}`);
    t.is(sha256(await readBytes(engine, layer.digest, Infinity)), layer.digest, layer.name);
    for (const offset of offsetsOf(layer.bytes.length)) {
      const length = 1 + ((offset * 31) % 200_000);
      t.true(
        (await readRange(engine, layer.digest, offset, length)).equals(layer.bytes.subarray(offset, offset + length)),
        `${layer.name} at ${offset}+${length}`,
      );
    }
  }
  const stats = await engine.stats();
  t.is(stats.expandedBlobs, expanded.length);
  t.true((await engine.fsck()).ok);
});

test('two gzip layers that differ by one file share over 90% of their chunks once expanded', async (t) => {
  const dir = await tempDir(t);
  const root = '/usr/share/doc';
  const files = filesUnder(root, 4_000_000, 50);
  const changed = [...files];
  // One file out of many is another one.
  changed[Math.floor(files.length / 2)] = filesUnder(root, 10_000, 2000)[0]!;
  const gzip = producers[0]!;
  const first = await gzip.compress(gnuTar(root, files));
  const second = await gzip.compress(gnuTar(root, changed));
  const engine = await openStore(dir, { expandLayers: true });
  t.teardown(() => engine.close());
  await put(engine, first);
  await engine.expansionIdle();
  const before = await engine.stats();
  await put(engine, second);
  // A second expansion of a blob already expanded changes nothing.
  t.is((await engine.expandBlob(sha256(second))).outcome, 'skipped');
  await engine.expansionIdle();
  await engine.collectGarbage();
  const after = await engine.stats();
  t.is(after.expandedBlobs, 2);
  t.is(after.expandedLogicalBytes, first.length + second.length);
  // Of the second layer's chunks, under 10% are new.
  const newChunks = after.chunks - before.chunks;
  t.true(newChunks / before.chunks < 0.1, `${newChunks} new chunks beside ${before.chunks}`);
  t.true(after.uniqueBytes - before.uniqueBytes < 0.1 * before.uniqueBytes);
  t.is(sha256(await readBytes(engine, sha256(second), Infinity)), sha256(second));
});

test('a layer no codec reproduces stays plain and reads exact', async (t) => {
  const dir = await tempDir(t);
  const engine = await openStore(dir);
  t.teardown(() => engine.close());
  const tar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 600_000));
  // Parameters no level search tries.
  const odd = zstdOneShot(tar, { compressionLevel: 5, windowLog: 11, checksumFlag: true });
  // gzip magic on bytes that do not inflate.
  const broken = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(200_000, 0xff)]);
  for (const bytes of [odd, broken]) {
    const digest = await put(engine, bytes);
    const result = await engine.expandBlob(digest);
    t.is(result.outcome, 'plain');
    t.truthy(result.reason);
    t.true((await readBytes(engine, digest, Infinity)).equals(bytes));
  }
  const plainTar = await put(engine, tar);
  t.is((await engine.expandBlob(plainTar)).outcome, 'skipped');
  t.is((await engine.stats()).expandedBlobs, 0);
  t.true(isNotFound(await t.throwsAsync(engine.expandBlob(sha256(Buffer.from('absent'))))));
});

test('layers stored while expansion was off are caught up: on open with expansion, or by expandPending; each outcome is tried once', async (t) => {
  const dir = await tempDir(t);
  const tar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 600_000));
  const gzipped = gzipSync(tar, { level: 6 });
  const odd = zstdOneShot(tar, { compressionLevel: 5, windowLog: 11, checksumFlag: true });
  let engine = await openStore(dir);
  const [layer, unreproduced, plainTar] = [await put(engine, gzipped), await put(engine, odd), await put(engine, tar)];
  await engine.expansionIdle();
  t.is((await engine.stats()).expandedBlobs, 0);
  const report = await engine.expandPending();
  t.like(report, { tried: 3, expanded: 1, plain: 1, skipped: 1, failed: 0, expandedBytes: gzipped.length });
  // The layers expansion left as they were are remembered: nothing is tried again, also after an index rebuild.
  t.like(await engine.expandPending(), { tried: 0, expanded: 0 });
  await engine.rebuildIndex();
  t.like(await engine.expandPending(), { tried: 0, expanded: 0 });
  const progress: number[] = [];
  t.like(await engine.expandPending({ retry: true, onProgress: ({ done }) => progress.push(done) }), { tried: 2, plain: 1, skipped: 1 });
  t.deepEqual(progress, [0, 1, 2]);
  // Named blobs are tried in the order named, whatever earlier tries made of them; an unknown one fails before any is tried.
  const named: string[] = [];
  const byName = await engine.expandPending({ digests: [plainTar, unreproduced], onProgress: ({ result }) => result && named.push(result.digest) });
  t.like(byName, { tried: 2, plain: 1, skipped: 1, expanded: 0 });
  t.deepEqual(named, [plainTar, unreproduced]);
  t.true(isNotFound(await t.throwsAsync(engine.expandPending({ digests: [layer, sha256(Buffer.from('absent'))] }))));
  // A layer stored while expansion was off is expanded when the store next opens with it on.
  const later = gzipSync(Buffer.concat([tar, Buffer.alloc(10_240)]), { level: 9 });
  const laterDigest = await put(engine, later);
  await engine.close();
  engine = await openStore(dir, { expandLayers: true });
  t.teardown(() => engine.close());
  const deadline = Date.now() + 120_000;
  while (((await engine.stats()).expandedBlobs ?? 0) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.is((await engine.stats()).expandedBlobs, 2);
  await engine.expansionIdle();
  t.like(await engine.expandPending(), { tried: 0 });
  for (const [digest, bytes] of [[layer, gzipped], [unreproduced, odd], [plainTar, tar], [laterDigest, later]] as const) {
    t.true((await readBytes(engine, digest, Infinity)).equals(bytes));
  }
  t.true((await engine.fsck()).ok);
});

test('expansion stores its chunks at expandZstdLevel; a level out of range is refused', async (t) => {
  const tar = gnuTar('/usr/lib/python3', filesUnder('/usr/lib/python3', 1_500_000, 50));
  const layer = gzipSync(tar, { level: 6 });
  const stored: number[] = [];
  for (const level of [1, 19]) {
    const engine = await openStore(await tempDir(t), { expandZstdLevel: level });
    const digest = await put(engine, layer);
    const before = (await engine.stats()).storedBytes;
    t.is((await engine.expandBlob(digest)).outcome, 'expanded');
    stored.push((await engine.stats()).storedBytes - before);
    t.true((await readBytes(engine, digest, Infinity)).equals(layer));
    await engine.close();
  }
  t.true(stored[1]! < stored[0]!, String(stored));
  t.true(isInvalidArgument(await t.throwsAsync(openStore(await tempDir(t), { expandZstdLevel: 23 }))));
});

test('a layer whose plaintext would exceed the bound stays compressed (a compression bomb cannot exhaust memory)', (t) => {
  const zeros = Buffer.alloc(8 << 20);
  for (const bytes of [gzipSync(zeros, { level: 9 }), zstdOneShot(zeros, { compressionLevel: 19, checksumFlag: true })]) {
    const bounded = expandLayer(bytes, { maxPlainBytes: 1 << 20 });
    t.true('reason' in bounded);
    t.true('expansion' in expandLayer(bytes, { maxPlainBytes: 8 << 20 }));
  }
});

test('expansion makes the compressed chunks garbage; gc reclaims them; fsck, rebuild, reopen and delete handle expanded recipes', async (t) => {
  const dir = await tempDir(t);
  // Big enough for the hot cache (1 MiB and up).
  const tar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 5_000_000, 400));
  const [gnu, node] = await Promise.all(
    [producers[0]!, producers[4]!].map(async (producer) => {
      const bytes = await producer.compress(tar);
      return { name: producer.name, bytes, digest: sha256(bytes) };
    }),
  );
  let engine = await openStore(dir, { expandLayers: true, hotCacheBytes: 64 * 1024 * 1024 });
  await put(engine, gnu!.bytes);
  await put(engine, node!.bytes);
  await engine.expansionIdle();
  let stats = await engine.stats();
  t.is(stats.expandedBlobs, 2);
  t.true(stats.garbageChunks > 0);
  const report = await engine.collectGarbage({ minLiveFraction: 0.9 });
  t.true(report.chunksSwept > 0);
  stats = await engine.stats();
  t.is(stats.garbageChunks, 0);
  // The first whole read fills the hot cache; the next reads come from it.
  t.is(sha256(await readBytes(engine, gnu!.digest, Infinity)), gnu!.digest);
  // The copy is adopted just after the read ends.
  for (let i = 0; i < 100 && (await engine.stats()).hotCacheBytes! < gnu!.bytes.length; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.true((await engine.stats()).hotCacheBytes! >= gnu!.bytes.length);
  t.true((await readRange(engine, gnu!.digest, 1000, 5000)).equals(gnu!.bytes.subarray(1000, 6000)));
  t.true((await engine.fsck()).ok);
  const rebuilt = await engine.rebuildIndex();
  t.deepEqual(rebuilt.lostBlobs, []);
  t.is((await engine.stats()).expandedBlobs, 2);
  await engine.close();

  engine = await openStore(dir, { expandLayers: true });
  t.teardown(() => engine.close());
  t.true((await engine.fsck()).ok);
  t.is(sha256(await readBytes(engine, node!.digest, Infinity)), node!.digest);
  await engine.delete(gnu!.digest);
  t.true(isNotFound(await t.throwsAsync(engine.read(gnu!.digest))));
  t.true((await engine.collectGarbage()).chunksSwept > 0);
  stats = await engine.stats();
  t.is(stats.expandedBlobs, 1);
  t.is(stats.garbageChunks, 0);
  t.true((await engine.fsck()).ok);
  t.is(sha256(await readBytes(engine, node!.digest, Infinity)), node!.digest);
});

/** Starts the expander and SIGKILLs it `killAfterMs` after it is ready; resolves with the blobs it said it expanded. */
function expandUntilKilled(dir: string, killAfterMs: number): Promise<{ expanded: number; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EXPANDER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('ready\n')) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const lines = out.split('\n');
      if (signal === 'SIGKILL') resolve({ expanded: lines.filter((line) => line.endsWith(' expanded')).length, done: lines.includes('done') });
      else reject(new Error(`expander exited with ${code}: ${stderr}`));
    });
  });
}

test('a store killed during expansion keeps every blob bit-exact and fscks clean', async (t) => {
  const dir = await tempDir(t);
  const all = await layers;
  const chosen = [all[0]!, all[2]!, all[4]!, all[7]!, all[9]!];
  let engine = await openStore(dir, { targetPackBytes: 1024 * 1024 });
  for (const layer of chosen) await put(engine, layer.bytes);
  await engine.close();
  for (const killAfterMs of [150, 700, 1500, 3000, 6000]) {
    await expandUntilKilled(dir, killAfterMs);
    engine = await openStore(dir);
    for (const layer of chosen) t.is(sha256(await readBytes(engine, layer.digest, Infinity)), layer.digest);
    const fsck = await engine.fsck();
    t.true(fsck.ok, JSON.stringify(fsck.damage.slice(0, 3)));
    await engine.collectGarbage();
    await engine.close();
  }
  engine = await openStore(dir);
  t.teardown(() => engine.close());
  for (const layer of chosen) {
    const result = await engine.expandBlob(layer.digest);
    t.not(result.outcome, 'plain');
  }
  t.is((await engine.stats()).expandedBlobs, chosen.length);
  for (const layer of chosen) t.is(sha256(await readBytes(engine, layer.digest, Infinity)), layer.digest);
  t.true((await engine.fsck()).ok);
});

test('the hot cache keeps an expanded layer below the 1 MiB that plain blobs need: re-encoding even a small layer is slow', async (t) => {
  const dir = await tempDir(t);
  const tar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 700_000, 60));
  const layer = await producers[0]!.compress(tar);
  t.true(layer.length < 1024 * 1024, 'a layer the cache would skip were it plain');
  // Incompressible bytes of the same size, stored as ordinary chunks.
  const plain = Buffer.alloc(layer.length);
  for (let i = 0; i < plain.length; i++) plain[i] = (i * 2654435761) >>> 24;
  const engine = await openStore(dir, { hotCacheBytes: 64 * 1024 * 1024 });
  t.teardown(() => engine.close());
  await put(engine, layer);
  await put(engine, plain);
  t.is((await engine.expandBlob(sha256(layer))).outcome, 'expanded');
  t.is(sha256(await readBytes(engine, sha256(plain), Infinity)), sha256(plain));
  t.is(sha256(await readBytes(engine, sha256(layer), Infinity)), sha256(layer));
  // The copy is adopted just after the read ends.
  for (let i = 0; i < 100 && (await engine.stats()).hotCacheBytes! < layer.length; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.is((await engine.stats()).hotCacheBytes, layer.length, 'the expanded layer is cached, the plain blob is not');
  t.is(sha256(await readBytes(engine, sha256(layer), Infinity)), sha256(layer));
});

test('a store that caches ingests keeps a small layer in the hot cache once it is expanded, for the pull after the push', async (t) => {
  const tar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 700_000, 60));
  const layer = await producers[0]!.compress(tar);
  t.true(layer.length < 1024 * 1024);
  const engine = await openStore(await tempDir(t), { hotCacheBytes: 64 * 1024 * 1024, cacheIngests: true });
  t.teardown(() => engine.close());
  const digest = await put(engine, layer);
  t.is((await engine.stats()).hotCacheBytes, 0, 'too small for the cache at its ingest');
  t.is((await engine.expandBlob(digest)).outcome, 'expanded');
  t.is((await engine.stats()).hotCacheBytes, layer.length);
  t.is(sha256(await readBytes(engine, digest, Infinity)), digest);
  // Deleting the blob drops its copy.
  await engine.delete(digest);
  t.is((await engine.stats()).hotCacheBytes, 0);
});
