import test from 'ava';
import { createHash } from 'node:crypto';
import { GzipExpander, GzipRebuilder } from '@strata/redeflate';
import { gnuGzip, tarOf } from './helpers/producers.ts';
import { withTempDir } from './helpers/temp.ts';

test('a 64 MiB tar compressed by GNU gzip expands and rebuilds bit-exactly, both streamed in 1 MiB pieces', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/lib/x86_64-linux-gnu', 65 << 20, dir);
    t.true(tar.length >= 64 << 20);
    const gz = gnuGzip(6, tar);
    const expander = new GzipExpander();
    const plain: Uint8Array[] = [];
    let mostHeld = 0;
    const piece = 1 << 20;
    for (let at = 0; at < gz.length; at += piece) {
      for (let batch = expander.push(gz.subarray(at, at + piece)); batch.length > 0; batch = expander.more()) plain.push(...batch);
      mostHeld = Math.max(mostHeld, expander.heldBytes);
    }
    for (let batch = expander.finish(); batch.length > 0; batch = expander.more()) plain.push(...batch);
    // Expansion holds about a segment (1 MiB) of plaintext and its input, not the stream.
    t.true(mostHeld < 8 << 20, `held at most ${mostHeld} bytes`);
    const expansion = { ...expander.result(), plaintext: Buffer.concat(plain) };
    t.true(expansion.plaintext.equals(tar));
    t.log(`${expansion.restartPoints.length} restart points, ${expansion.corrections.length} correction bytes for ${gz.length} bytes`);
    t.true(expansion.restartPoints.length >= 8);
    const rebuilder = new GzipRebuilder(expansion.corrections);
    const hash = createHash('sha256');
    for (let at = 0; at < expansion.plaintext.length; at += piece) {
      hash.update(rebuilder.push(expansion.plaintext.subarray(at, at + piece)));
    }
    hash.update(rebuilder.finish());
    t.is(hash.digest('hex'), createHash('sha256').update(gz).digest('hex'));
    // zlib-family output needs only a few KiB of corrections per MiB.
    t.true(expansion.corrections.length < (gz.length / (1 << 20)) * 4096);
  });
});
