import test from 'ava';
import { expandGzip, expandVerified, parseGzip, reconstructGzip } from '@strata/redeflate';
import {
  buildGoGzip,
  gnuGzip,
  goGzip,
  nodeGzip,
  pigz,
  pythonGzip,
  skopeoPgzip,
  tarOf,
} from './helpers/producers.ts';
import { withTempDir } from './helpers/temp.ts';

const KiB = 1024;

function assertRoundTrip(t: import('ava').ExecutionContext, gz: Uint8Array, maxCorrectionBytes?: number): void {
  const expansion = expandGzip(gz, { segmentBytes: 256 * KiB });
  const rebuilt = reconstructGzip(expansion.plaintext, expansion.corrections);
  t.deepEqual(Buffer.from(rebuilt), Buffer.from(gz));
  if (maxCorrectionBytes !== undefined) t.true(expansion.corrections.length <= maxCorrectionBytes, `${expansion.corrections.length} bytes`);
}

test('GNU gzip -n at levels 1, 6 and 9 rebuilds bit-exactly with small corrections', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 1536 * KiB, dir);
    for (const level of [1, 6, 9]) assertRoundTrip(t, gnuGzip(level, tar), level === 1 ? 8 * KiB : 2 * KiB);
  });
});

test('pigz at levels 1, 6, 9 and 11 (zopfli) rebuilds bit-exactly', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/lib/x86_64-linux-gnu', 1536 * KiB, dir);
    for (const level of [1, 6, 9]) assertRoundTrip(t, pigz(level, tar), 8 * KiB);
    assertRoundTrip(t, pigz(11, tar.subarray(0, 128 * KiB)));
  });
});

test('Python gzip at levels 1..9 rebuilds bit-exactly', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 512 * KiB, dir);
    for (let level = 1; level <= 9; level++) assertRoundTrip(t, pythonGzip(level, tar), 4 * KiB);
  });
});

test('Go compress/gzip at levels 1, 6 and 9 rebuilds bit-exactly', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 1024 * KiB, dir);
    const binary = buildGoGzip(dir);
    for (const level of [1, 6, 9]) {
      const gz = goGzip(binary, level, tar);
      // Go ends its stream with an empty stored block after the last data block.
      const member = parseGzip(gz).members[0]!;
      t.is(member.plainLength, tar.length);
      assertRoundTrip(t, gz);
    }
  });
});

test('skopeo (klauspost/pgzip) layers rebuild bit-exactly', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 2560 * KiB, dir);
    const gz = skopeoPgzip(tar, dir);
    const { members } = parseGzip(gz);
    t.is(members.length, 1);
    t.is(members[0]!.plainLength, tar.length);
    assertRoundTrip(t, gz);
  });
});

test('a mix of producers over the same tar all verify', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/lib/x86_64-linux-gnu', 768 * KiB, dir);
    for (const gz of [gnuGzip(6, tar), pigz(6, tar), pythonGzip(9, tar), nodeGzip(6, tar)]) {
      t.not(expandVerified(gz), undefined);
    }
  });
});
