import test from 'ava';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { isDataLoss, isInvalidArgument } from '@strata/errors';
import { expandDeflate, expandGzip, parseGzip, reconstructDeflate } from '@strata/redeflate';

const text = Buffer.from('strata stores layers once per chunk; '.repeat(2000) + 'the end');
const raw = deflateRawSync(text, { level: 6 });

test('a truncated deflate stream is InvalidArgument', (t) => {
  for (const cut of [0, 1, 5, raw.length >> 1, raw.length - 1]) {
    const error = t.throws(() => expandDeflate(raw.subarray(0, cut)));
    t.true(isInvalidArgument(error), String(error));
  }
});

test('invalid block types, Huffman tables and distances are InvalidArgument', (t) => {
  t.true(isInvalidArgument(t.throws(() => expandDeflate(Uint8Array.of(0x07, 0, 0)))));
  // A dynamic header whose code length code lengths are all zero.
  t.true(isInvalidArgument(t.throws(() => expandDeflate(Uint8Array.of(0x05, 0, 0, 0, 0, 0, 0, 0)))));
  // A fixed block whose first token is a match: it reaches before the start.
  t.true(isInvalidArgument(t.throws(() => expandDeflate(Uint8Array.of(0x03, 0x02, 0x00, 0x00)))));
  // Stored block with a wrong complement.
  t.true(isInvalidArgument(t.throws(() => expandDeflate(Uint8Array.of(0x01, 0x01, 0x00, 0x00, 0x00, 0x41)))));
});

test('random byte flips never crash or hang: they fail cleanly or decode', (t) => {
  let state = 12345;
  for (let round = 0; round < 300; round++) {
    const damaged = Buffer.from(raw);
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    damaged[state % damaged.length]! ^= 1 << (state >>> 29);
    try {
      const expansion = expandDeflate(damaged);
      t.deepEqual(Buffer.from(reconstructDeflate(expansion.plaintext, expansion.corrections)), damaged.subarray(0, expansion.consumed));
    } catch (error) {
      t.true(isInvalidArgument(error), String(error));
    }
  }
});

test('a gzip file with a bad trailer or header is InvalidArgument', (t) => {
  const gz = gzipSync(text);
  const badCrc = Buffer.from(gz);
  badCrc[gz.length - 6]! ^= 1;
  t.true(isInvalidArgument(t.throws(() => expandGzip(badCrc))));
  t.true(isInvalidArgument(t.throws(() => parseGzip(gz.subarray(0, gz.length - 3)))));
  t.true(isInvalidArgument(t.throws(() => expandGzip(Buffer.from('not gzip at all')))));
});

test('damaged corrections are DataLoss, never a wrong stream', (t) => {
  const expansion = expandDeflate(raw);
  const { corrections } = expansion;
  t.true(isDataLoss(t.throws(() => reconstructDeflate(expansion.plaintext, corrections.subarray(0, corrections.length - 1)))));
  const flipped = Buffer.from(corrections);
  flipped[0]! ^= 0xff;
  t.true(isDataLoss(t.throws(() => reconstructDeflate(expansion.plaintext, flipped))));
  const other = Buffer.from(expansion.plaintext);
  other[100]! ^= 1;
  try {
    const rebuilt = reconstructDeflate(other, corrections);
    t.notDeepEqual(Buffer.from(rebuilt), raw);
  } catch (error) {
    t.true(isDataLoss(error) || isInvalidArgument(error));
  }
});
