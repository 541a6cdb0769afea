import test from 'ava';
import { gzipSync } from 'node:zlib';
import { isInvalidArgument } from '@strata/errors';
import { GzipExpander, expandGzip, reconstructGzip } from '@strata/redeflate';
import { gnuGzip, pythonGzip, tarOf } from './helpers/producers.ts';
import { withTempDir } from './helpers/temp.ts';

/** Feeds `file` to a GzipExpander in pieces of the sizes `sizes` cycles through. */
function expandInPieces(file: Uint8Array, sizes: readonly number[], segmentBytes?: number) {
  const expander = new GzipExpander(segmentBytes === undefined ? {} : { segmentBytes });
  const plain: Uint8Array[] = [];
  let beforeFinish = 0;
  let turn = 0;
  for (let at = 0; at < file.length; ) {
    const size = sizes[turn++ % sizes.length]!;
    for (let batch = expander.push(file.subarray(at, at + size)); batch.length > 0; batch = expander.more()) {
      plain.push(...batch);
      for (const piece of batch) beforeFinish += piece.length;
    }
    at += size;
  }
  for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) plain.push(...batch);
  return { result: expander.result(), plaintext: Buffer.concat(plain), beforeFinish };
}

test('a gzip file fed in pieces of any size expands to what the whole file gives', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 400 * 1024, dir);
    const file = Buffer.concat([
      pythonGzip(9, tar.subarray(0, 250_000)),
      gzipSync(tar.subarray(250_000)),
      Buffer.from('trailing bytes after the last member'),
    ]);
    const whole = expandGzip(file, { segmentBytes: 32 * 1024 });
    t.is(whole.members.length, 2);
    for (const sizes of [[1, 2, 3, 5, 7, 11, 13], [4096], [65_537, 100], [file.length]]) {
      const streamed = expandInPieces(file, sizes, 32 * 1024);
      t.deepEqual(streamed.plaintext, Buffer.from(tar), `pieces of ${sizes.join(',')}`);
      t.deepEqual(Buffer.from(streamed.result.corrections), Buffer.from(whole.corrections));
      t.deepEqual(streamed.result.restartPoints, whole.restartPoints);
      t.deepEqual(Buffer.from(reconstructGzip(streamed.plaintext, streamed.result.corrections)), file);
    }
  });
});

test('plaintext comes out while the input is still arriving, and what the expander holds stays small', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/lib/x86_64-linux-gnu', 12 << 20, dir);
    const gz = gnuGzip(6, tar);
    const expander = new GzipExpander();
    let plainOut = 0;
    let mostHeld = 0;
    const piece = 256 * 1024;
    for (let at = 0; at < gz.length; at += piece) {
      for (let batch = expander.push(gz.subarray(at, at + piece)); batch.length > 0; batch = expander.more()) {
        for (const part of batch) plainOut += part.length;
        mostHeld = Math.max(mostHeld, expander.heldBytes);
      }
    }
    // All but the last block's plaintext is out before the input ends.
    t.true(plainOut > tar.length - (1 << 20), `${plainOut} of ${tar.length} bytes before finish`);
    t.true(mostHeld < 8 << 20, `held at most ${mostHeld} bytes`);
    for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) for (const part of batch) plainOut += part.length;
    t.is(plainOut, tar.length);
    t.true(expander.result().restartPoints.length >= 10);
  });
});

/** Takes every batch of plaintext the expander has, starting with `first`. */
function drain(expander: GzipExpander, first: Uint8Array[]): number {
  let bytes = 0;
  for (let batch = first; batch.length > 0; batch = expander.more()) for (const piece of batch) bytes += piece.length;
  return bytes;
}

/** A gzip header and a fixed-Huffman block of literal 'a' codes that never reaches its end-of-block code. */
function endlessBlock(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  let bit = 80;
  const put = (value: number): void => {
    if (value !== 0) out[bit >> 3]! |= 1 << (bit & 7);
    bit++;
  };
  // BFINAL 0, BTYPE 01 (fixed codes), then 'a' (code 0x30 + 0x61, eight bits, most significant first) over and over.
  put(0);
  put(1);
  put(0);
  while (bit + 8 <= bytes * 8) for (let i = 7; i >= 0; i--) put((0x91 >> i) & 1);
  return out;
}

test('a block that never ends is refused once it runs past the longest block accepted, not buffered to the end', (t) => {
  const input = endlessBlock(4 << 20);
  const expander = new GzipExpander({ maxBlockBytes: 256 * 1024 });
  let failedAt = -1;
  let mostHeld = 0;
  for (let from = 0; from < input.length && failedAt < 0; from += 16 * 1024) {
    try {
      for (let batch = expander.push(input.subarray(from, from + 16 * 1024)); batch.length > 0; batch = expander.more());
      mostHeld = Math.max(mostHeld, expander.heldBytes);
    } catch (error) {
      t.true(isInvalidArgument(error));
      failedAt = from;
    }
  }
  t.true(failedAt > 0 && failedAt < 1 << 20, `failed at ${failedAt}`);
  t.true(mostHeld < 2 << 20, `held at most ${mostHeld} bytes`);
});

test('damaged, truncated and foreign input is InvalidArgument', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 1 << 20, dir);
    const gz = Buffer.from(gnuGzip(6, tar));
    const damaged = Buffer.from(gz);
    damaged.fill(0xff, gz.length >> 2, (gz.length >> 2) + 64);
    const broken = new GzipExpander();
    t.true(isInvalidArgument(t.throws(() => {
      for (let from = 0; from < damaged.length; from += 16 * 1024) drain(broken, broken.push(damaged.subarray(from, from + 16 * 1024)));
      drain(broken, broken.finish());
    })));
    const truncated = new GzipExpander();
    drain(truncated, truncated.push(gz.subarray(0, gz.length - 3)));
    t.true(isInvalidArgument(t.throws(() => drain(truncated, truncated.finish()))));
    const headerOnly = new GzipExpander();
    headerOnly.push(gz.subarray(0, 5));
    t.true(isInvalidArgument(t.throws(() => headerOnly.finish())));
    const notGzip = new GzipExpander();
    t.true(isInvalidArgument(t.throws(() => notGzip.push(Buffer.from('plain text, not gzip')))));
    const badTrailer = Buffer.from(gz);
    badTrailer[badTrailer.length - 6]! ^= 1;
    const wrongCrc = new GzipExpander();
    t.true(isInvalidArgument(t.throws(() => {
      drain(wrongCrc, wrongCrc.push(badTrailer));
      drain(wrongCrc, wrongCrc.finish());
    })));
  });
});

test('a decompression bomb comes out a few MiB per call, and a block decoding to too much is refused', (t) => {
  const zeros = new Uint8Array(256 << 20);
  const bomb = gzipSync(zeros, { level: 9 });
  t.true(bomb.length < 1 << 20);
  const expander = new GzipExpander();
  let largest = 0;
  let total = 0;
  for (let batch = expander.push(bomb); batch.length > 0; batch = expander.more()) {
    const bytes = batch.reduce((sum, piece) => sum + piece.length, 0);
    largest = Math.max(largest, bytes);
    total += bytes;
    t.true(expander.heldBytes < 32 << 20, `held ${expander.heldBytes} bytes`);
  }
  total += drain(expander, expander.finish());
  t.is(total, zeros.length);
  t.true(largest <= 8 << 20, `largest batch ${largest} bytes`);
  t.deepEqual(Buffer.from(reconstructGzip(zeros, expander.result().corrections)), bomb);

  const capped = new GzipExpander({ maxBlockPlainBytes: 1 << 20 });
  const stored = gzipSync(zeros.subarray(0, 8 << 20), { level: 9 });
  t.true(isInvalidArgument(t.throws(() => {
    drain(capped, capped.push(stored));
    drain(capped, capped.finish());
  })));
});
