import test from 'ava';
import { deflateRawSync, gzipSync } from 'node:zlib';
import {
  DeflateRebuilder,
  GzipRebuilder,
  expandDeflate,
  expandGzip,
  rebuildDeflateStream,
  reconstructGzip,
} from '@strata/redeflate';
import { pythonGzip, tarOf } from './helpers/producers.ts';
import { withTempDir } from './helpers/temp.ts';

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

test('reconstruction streams from small plaintext pieces', async (t) => {
  await withTempDir(async (dir) => {
    const tar = tarOf('/usr/share/doc', 700 * 1024, dir);
    const raw = deflateRawSync(tar, { level: 6 });
    const expansion = expandDeflate(raw, { segmentBytes: 64 * 1024 });
    t.true(expansion.restartPoints.length > 5);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < tar.length; at += 4099) pieces.push(tar.subarray(at, at + 4099));
    const out: Uint8Array[] = [];
    for await (const part of rebuildDeflateStream(pieces, expansion.corrections)) out.push(part);
    t.deepEqual(concat(out), Buffer.from(raw));
  });
});

test('reconstruction starts at any restart point and matches the original from its byte on', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/share/doc', 600 * 1024, dir);
    const raw = deflateRawSync(tar, { level: 9 });
    const expansion = expandDeflate(raw, { segmentBytes: 100 * 1024 });
    for (const point of expansion.restartPoints) {
      const rebuilder = new DeflateRebuilder(expansion.corrections, { fromSegment: point.segment });
      t.is(rebuilder.plaintextStart, point.windowStart);
      t.is(rebuilder.outputStart, point.compressedOffset);
      const out = [rebuilder.push(tar.subarray(point.windowStart)), rebuilder.finish()];
      t.deepEqual(concat(out), Buffer.from(raw.subarray(point.compressedOffset)));
    }
  });
});

test('gzip files with several members and trailing bytes rebuild, also from a restart point', async (t) => {
  await withTempDir((dir) => {
    const tar = tarOf('/usr/lib/x86_64-linux-gnu', 400 * 1024, dir);
    const file = Buffer.concat([
      pythonGzip(6, tar.subarray(0, 250_000)),
      gzipSync(tar.subarray(250_000)),
      Buffer.alloc(512),
    ]);
    const expansion = expandGzip(file, { segmentBytes: 16 * 1024 });
    t.is(expansion.members.length, 2);
    t.deepEqual(Buffer.from(reconstructGzip(expansion.plaintext, expansion.corrections)), file);
    const inside = expansion.restartPoints.filter((candidate) => candidate.segment > 0).at(-1)!;
    const secondMember = expansion.restartPoints.find((candidate) => candidate.member === 1)!;
    for (const point of [inside, secondMember]) {
      const rebuilder = new GzipRebuilder(expansion.corrections, { member: point.member, segment: point.segment });
      t.is(rebuilder.outputStart, point.compressedOffset);
      const out = [rebuilder.push(expansion.plaintext.subarray(point.windowStart)), rebuilder.finish()];
      t.deepEqual(concat(out), file.subarray(point.compressedOffset));
    }
    const streamed = new GzipRebuilder(expansion.corrections);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < expansion.plaintext.length; at += 10_007) {
      pieces.push(streamed.push(expansion.plaintext.subarray(at, at + 10_007)));
    }
    pieces.push(streamed.finish());
    t.deepEqual(concat(pieces), file);
  });
});
