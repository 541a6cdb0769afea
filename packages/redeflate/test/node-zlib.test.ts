import test from 'ava';
import { once } from 'node:events';
import { constants, deflateRawSync, createDeflateRaw, gzipSync } from 'node:zlib';
import { expandDeflate, expandVerified, reconstructDeflate, reconstructGzip, expandGzip, zlibLevelParams } from '@strata/redeflate';

/** Deterministic pseudo-random numbers (a 32-bit linear congruential generator). */
class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  between(low: number, high: number): number {
    this.#state = (Math.imul(this.#state, 1664525) + 1013904223) >>> 0;
    return low + ((this.#state >>> 8) % (high - low + 1));
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.between(0, 255);
    return out;
  }
}

/** Text-like data with repeats at all distances, so every kind of token occurs. */
function sample(length: number, seed = 7): Uint8Array {
  const random = new Random(seed);
  const words = ['layer', 'chunk', 'digest', 'manifest', 'blob', ' ', '\n', 'sha256:', 'tar', 'gzip', '0123456789abcdef'];
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    if (at > 100 && random.between(0, 9) === 0) {
      const distance = random.between(1, Math.min(at, 40000));
      const count = Math.min(random.between(3, 300), length - at);
      for (let i = 0; i < count; i++, at++) out[at] = out[at - distance]!;
    } else if (random.between(0, 19) === 0) {
      out[at++] = random.between(0, 255);
    } else {
      for (const byte of Buffer.from(words[random.between(0, words.length - 1)]!)) if (at < length) out[at++] = byte;
    }
  }
  return out;
}

function roundTrip(t: import('ava').ExecutionContext, raw: Uint8Array, segmentBytes?: number): void {
  const expansion = expandDeflate(raw, segmentBytes === undefined ? {} : { segmentBytes });
  t.is(expansion.consumed, raw.length);
  t.deepEqual(Buffer.from(reconstructDeflate(expansion.plaintext, expansion.corrections)), Buffer.from(raw));
}

const data = sample(300_000);

test('node zlib levels 0..9 rebuild bit-exactly', (t) => {
  for (let level = 0; level <= 9; level++) roundTrip(t, deflateRawSync(data, { level }), 64 * 1024);
});

test('node zlib strategies, memLevel and window sizes rebuild bit-exactly', (t) => {
  const strategies = [constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
  for (const strategy of strategies) roundTrip(t, deflateRawSync(data, { strategy, level: 6 }));
  for (const memLevel of [1, 4, 9]) roundTrip(t, deflateRawSync(data, { memLevel, level: 6 }));
  for (const windowBits of [9, 12]) roundTrip(t, deflateRawSync(data, { windowBits, level: 9 }));
});

test('sync and full flushes mid-stream rebuild bit-exactly', async (t) => {
  for (const flush of [constants.Z_SYNC_FLUSH, constants.Z_FULL_FLUSH, constants.Z_PARTIAL_FLUSH]) {
    const deflate = createDeflateRaw({ level: 6 });
    const parts: Buffer[] = [];
    deflate.on('data', (part: Buffer) => parts.push(part));
    for (let at = 0; at < data.length; at += 70_000) {
      deflate.write(data.subarray(at, at + 70_000));
      await new Promise<void>((resolve) => deflate.flush(flush, () => resolve()));
    }
    const ended = once(deflate, 'end');
    deflate.end();
    await ended;
    roundTrip(t, Buffer.concat(parts), 100_000);
  }
});

test('model parameters outside zlib\'s table rebuild bit-exactly', (t) => {
  // Runs of zeros and repeated records, as in binaries, make long chains of long matches.
  const records = new Uint8Array(200_000);
  for (let at = 0; at < records.length; at += 64) records.set(data.subarray(at % 4096, (at % 4096) + 24), at);
  const raw9 = deflateRawSync(records, { level: 9 });
  const raw6 = deflateRawSync(data, { level: 6 });
  const variants = [
    { ...zlibLevelParams(6), chain: 8 },
    { ...zlibLevelParams(9), nice: 8 },
    { ...zlibLevelParams(9), chain: 2048, good: 4 },
    { ...zlibLevelParams(2), chain: 1024 },
  ];
  for (const params of variants) {
    for (const raw of [raw9, raw6]) {
      const expansion = expandDeflate(raw, { params });
      t.deepEqual(Buffer.from(reconstructDeflate(expansion.plaintext, expansion.corrections)), Buffer.from(raw));
    }
  }
});

test('stored and fixed-Huffman blocks rebuild bit-exactly', (t) => {
  const stored = deflateRawSync(data.subarray(0, 200_000), { level: 0 });
  t.is(stored[0]! & 6, 0);
  roundTrip(t, stored);
  const fixed = deflateRawSync(data.subarray(0, 50_000), { strategy: constants.Z_FIXED });
  t.is(fixed[0]! & 6, 2);
  roundTrip(t, fixed);
});

test('empty and tiny inputs rebuild bit-exactly', (t) => {
  for (const input of [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(1, 2), Buffer.from('aaaa'), Buffer.from('abcabcabcabc')]) {
    for (const level of [0, 1, 6, 9]) roundTrip(t, deflateRawSync(input, { level }));
    const gz = gzipSync(input);
    const expansion = expandGzip(gz);
    t.deepEqual(Buffer.from(reconstructGzip(expansion.plaintext, expansion.corrections)), gz);
  }
});

test('random (incompressible) data rebuilds bit-exactly', (t) => {
  const random = new Random(99).bytes(200_000);
  for (const level of [1, 6, 9]) roundTrip(t, deflateRawSync(random, { level }));
});

test('expandVerified accepts raw deflate with trailing bytes and reports where the stream ends', (t) => {
  const raw = deflateRawSync(data.subarray(0, 10_000));
  const withTail = Buffer.concat([raw, Buffer.from('trailing')]);
  const expansion = expandVerified(withTail, { format: 'deflate' });
  t.not(expansion, undefined);
  t.is(expansion!.consumed, raw.length);
});
