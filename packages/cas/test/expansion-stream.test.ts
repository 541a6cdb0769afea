import test from 'ava';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { createLayerExpander, expandLayer, openStore, readBytes, writeBlob, ZSTD_SEARCH_PREFIX_BYTES, type Engine, type EngineOptions } from '@strata/cas';
import { filesUnder, gnuTar } from './fixtures/layers.ts';
import { pieces, sha256, tempDir } from './support.ts';

const zstd = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');

/** What a streaming zstd compressor writes: level 3, fed in pieces, the plaintext size pledged (so in the frame header). */
function zstdStreamPledged(plaintext: Buffer, level = 3, windowLog?: number): Buffer {
  const cctx = new zstd.CCtx();
  cctx.setParameter(zstd.CParameter.compressionLevel, level);
  if (windowLog !== undefined) cctx.setParameter(zstd.CParameter.windowLog, windowLog);
  cctx.setParameter(zstd.CParameter.checksumFlag, 1);
  cctx.setPledgedSrcSize(plaintext.length);
  const out = Buffer.allocUnsafe(zstd.cStreamOutSize());
  const written: Buffer[] = [];
  const drive = (input: Uint8Array, end: number): void => {
    let rest = input;
    for (;;) {
      const [remaining, produced, consumed] = cctx.compressStream2(out, rest, end);
      written.push(Buffer.from(out.subarray(0, produced)));
      rest = rest.subarray(consumed);
      if (end === zstd.EndDirective.end ? remaining === 0 : rest.length === 0) return;
    }
  };
  for (const piece of pieces(plaintext, 300_000)) drive(piece, zstd.EndDirective.continue);
  drive(new Uint8Array(), zstd.EndDirective.end);
  return Buffer.concat(written);
}

// Real files, so every level writes something different; about 1 MiB, and about 12 MiB (past the level-search prefix).
const smallTar = gnuTar('/usr/share/doc', filesUnder('/usr/share/doc', 1_000_000));
const bigTar = gnuTar('/usr/lib/python3', filesUnder('/usr/lib/python3', 12_000_000));
const bigZstd = zstdStreamPledged(bigTar);

async function put(engine: Engine, bytes: Buffer): Promise<string> {
  return (await writeBlob(engine, [bytes], { digest: sha256(bytes), size: bytes.byteLength })).digest;
}

/** A store with and without the expansion worker; chunks stored at a fast level to keep the tests cheap. */
const setups: [string, EngineOptions][] = [
  ['on the worker', { expandZstdLevel: 1 }],
  ['on the calling thread', { expandZstdLevel: 1, compressThreads: 0 }],
];

test('pieces pushed one by one give the plaintext and outcome of the whole buffer', (t) => {
  t.true(bigTar.length > ZSTD_SEARCH_PREFIX_BYTES);
  const layers = [
    { tar: smallTar, bytes: gzipSync(smallTar, { level: 6 }) },
    { tar: smallTar, bytes: zstdStreamPledged(smallTar, 19) },
    { tar: bigTar, bytes: bigZstd },
  ] as const;
  for (const { tar, bytes } of layers) {
    const whole = expandLayer(bytes, { verify: false });
    if (!('expansion' in whole)) return t.fail(whole.reason);
    t.true(Buffer.from(whole.expansion.plaintext).equals(tar));
    const expander = createLayerExpander(whole.expansion.codec);
    const plaintext: Uint8Array[] = [];
    for (const piece of pieces(bytes, 65_536)) {
      for (let batch = expander.push(piece); batch.length > 0; batch = expander.more()) plaintext.push(...batch);
    }
    for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) plaintext.push(...batch);
    t.true(Buffer.concat(plaintext).equals(tar));
    const { plaintext: _, ...outcome } = whole.expansion;
    t.deepEqual(expander.outcome(), { expansion: outcome });
  }
  // The level a streaming zstd layer past the prefix was made at is found from its prefix, and checked whole by expandLayer.
  const verified = expandLayer(bigZstd);
  t.true('expansion' in verified && JSON.parse(Buffer.from(verified.expansion.params).toString()).level === 3);
});

test('a decompression bomb comes out a few MiB per call, gzip and zstd alike', (t) => {
  const zeros = Buffer.alloc(256 << 20);
  for (const bomb of [gzipSync(zeros, { level: 9 }), zstdStreamPledged(zeros, 3)]) {
    t.true(bomb.length < 1 << 20);
    // Codec ids as recipes store them: 1 gzip, 2 zstd.
    const expander = createLayerExpander(bomb[0] === 0x1f ? 1 : 2);
    let largest = 0;
    let total = 0;
    const take = (batch: Uint8Array[]): number => {
      const bytes = batch.reduce((sum, piece) => sum + piece.length, 0);
      largest = Math.max(largest, bytes);
      total += bytes;
      return bytes;
    };
    for (let batch = expander.push(bomb); take(batch) > 0; batch = expander.more());
    for (let batch = expander.finish(); take(batch) > 0; batch = expander.more());
    t.is(total, zeros.length);
    t.true(largest <= 8 << 20, `largest batch ${largest} bytes`);
    t.true('expansion' in expander.outcome());
  }
});

for (const [where, options] of setups) {
  test(`a gzip layer and a zstd layer past the level-search prefix expand and read back exact (${where})`, async (t) => {
    const engine = await openStore(await tempDir(t), options);
    t.teardown(() => engine.close());
    for (const bytes of [gzipSync(smallTar, { level: 6 }), bigZstd]) {
      const digest = await put(engine, bytes);
      const result = await engine.expandBlob(digest);
      t.is(result.outcome, 'expanded', result.reason);
      t.is(result.plainSize, bytes === bigZstd ? bigTar.length : smallTar.length);
      t.true((await readBytes(engine, digest, Infinity)).equals(bytes));
    }
    t.is((await engine.stats()).expandedBlobs, 2);
  });

  test(`a layer past the plaintext bound, or a stream cut or damaged midway, stays plain and reads back exact (${where})`, async (t) => {
    const maxPlainBytes = 256 * 1024;
    const engine = await openStore(await tempDir(t), { ...options, expandMaxPlainBytes: maxPlainBytes });
    t.teardown(() => engine.close());
    const gzipped = gzipSync(smallTar, { level: 6 });
    const damaged = Buffer.from(gzipped);
    for (let at = damaged.length >> 1; at < (damaged.length >> 1) + 64; at++) damaged[at] = damaged[at]! ^ 0x5a;
    const cut = gzipped.subarray(0, gzipped.length >> 1);
    for (const bytes of [gzipped, bigZstd]) {
      const digest = await put(engine, bytes);
      const result = await engine.expandBlob(digest);
      t.like(result, { outcome: 'plain', reason: `plaintext larger than ${maxPlainBytes} bytes` });
      t.true((await readBytes(engine, digest, Infinity)).equals(bytes));
    }
    const roomy = await openStore(await tempDir(t), options);
    t.teardown(() => roomy.close());
    const zstdCut = bigZstd.subarray(0, bigZstd.length - 1000);
    for (const [bytes, why] of [[cut, 'gzip does not parse'], [damaged, 'gzip does not parse'], [zstdCut, 'zstd does not decompress']] as const) {
      const digest = await put(roomy, bytes);
      const result = await roomy.expandBlob(digest);
      t.is(result.outcome, 'plain');
      t.true(result.reason?.startsWith(why), result.reason);
      t.true((await readBytes(roomy, digest, Infinity)).equals(bytes));
    }
    // A zstd layer past the prefix that no level reproduces (a small window no level picks) gives up
    // before any of its plaintext is stored.
    const foreign = await put(roomy, zstdStreamPledged(bigTar, 5, 11));
    const before = (await roomy.stats()).storedBytes;
    t.like(await roomy.expandBlob(foreign), { outcome: 'plain' });
    const grown = (await roomy.stats()).storedBytes - before;
    t.true(grown < 256 * 1024, `${grown} bytes stored`);
    t.is((await roomy.stats()).expandedBlobs, 0);
    // What the expansions that gave up midway had stored is garbage the index knows, and a collection reclaims it.
    t.true((await roomy.stats()).garbageChunks > 0);
    await roomy.collectGarbage();
    t.is((await roomy.stats()).garbageChunks, 0);
    t.true((await roomy.fsck()).ok);
  });
}
