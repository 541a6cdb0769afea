import test from 'ava';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { isDataLoss, isInvalidArgument } from '@strata/errors';
import { RebuildPool, expandDeflate, expandGzip, rebuildSegmentBytes, readCorrections } from '@strata/redeflate';
import { pythonGzip, tarOf } from './helpers/producers.ts';
import { withTempDir } from './helpers/temp.ts';

function concat(parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concat(parts);
}

async function* pieces(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

test('a pool of worker threads rebuilds a multi-member gzip file bit-exactly, whole and from restart points', async (t) => {
  const pool = new RebuildPool({ threads: 2, inFlight: 3 });
  try {
    await withTempDir(async (dir) => {
      const tar = tarOf('/usr/share/doc', 600 * 1024, dir);
      const file = Buffer.concat([pythonGzip(6, tar.subarray(0, 350_000)), gzipSync(tar.subarray(350_000)), Buffer.alloc(100)]);
      const expansion = expandGzip(file, { segmentBytes: 32 * 1024 });
      t.true(expansion.restartPoints.length > 8);
      t.deepEqual(Buffer.from(await pool.reconstructGzip(expansion.plaintext, expansion.corrections)), file);
      t.deepEqual(await collect(pool.rebuildGzipStream(pieces(expansion.plaintext, 7_001), expansion.corrections)), file);
      for (const point of [expansion.restartPoints[3]!, expansion.restartPoints.find((candidate) => candidate.member === 1)!]) {
        const stream = pool.rebuildGzipStream(pieces(expansion.plaintext.subarray(point.windowStart), 50_000), expansion.corrections, point);
        t.deepEqual(await collect(stream), file.subarray(point.compressedOffset));
      }
    });
  } finally {
    await pool.close();
  }
});

test('segments rebuilt one by one on the calling thread join into the raw deflate stream', async (t) => {
  await withTempDir(async (dir) => {
    const tar = tarOf('/usr/share/doc', 300 * 1024, dir);
    const raw = deflateRawSync(tar, { level: 9 });
    const expansion = expandDeflate(raw, { segmentBytes: 40 * 1024 });
    const corrections = readCorrections(expansion.corrections);
    const joined = corrections.segments.map((segment, index) => {
      const start = Math.max(0, segment.plainStart - 32768);
      return rebuildSegmentBytes(corrections, index, tar.subarray(start, segment.plainStart + segment.plainLength + 300), start);
    });
    t.deepEqual(concat(joined), Buffer.from(raw));
    const pool = new RebuildPool({ threads: 0 });
    const point = expansion.restartPoints[2]!;
    const stream = pool.rebuildDeflateStream([tar.subarray(point.windowStart)], expansion.corrections, { fromSegment: point.segment });
    t.deepEqual(await collect(stream), Buffer.from(raw.subarray(point.compressedOffset)));
    await pool.close();
  });
});

test('damaged corrections fail as DataLoss across the thread boundary; wrong plaintext sizes are InvalidArgument', async (t) => {
  const pool = new RebuildPool({ threads: 1 });
  try {
    const text = Buffer.from('strata layer chunk manifest digest '.repeat(4000));
    const raw = deflateRawSync(text);
    const expansion = expandDeflate(raw);
    const corrections = readCorrections(expansion.corrections);
    const damaged = Buffer.from(expansion.corrections);
    const payload = corrections.segments[0]!.payloadOffset;
    for (let i = payload; i < damaged.length; i++) damaged[i] = 0xa5;
    t.true(isDataLoss(await t.throwsAsync(pool.reconstructDeflate(text, damaged))));
    t.true(isInvalidArgument(await t.throwsAsync(pool.reconstructDeflate(text.subarray(0, 1000), expansion.corrections))));
    t.true(isInvalidArgument(await t.throwsAsync(pool.reconstructDeflate(Buffer.concat([text, text]), expansion.corrections))));
    t.deepEqual(Buffer.from(await pool.reconstructDeflate(text, expansion.corrections)), raw);
  } finally {
    await pool.close();
  }
});
