/**
 * Per-producer coverage of the reconstruction: share of streams rebuilt
 * bit-exactly, correction bytes per MiB of compressed input, expand and
 * reconstruct throughput (MB/s of compressed bytes, 1 MB = 10^6 bytes), the
 * latter on the calling thread and on a RebuildPool of one thread per core.
 * Not a test. Input: a directory (tarred, capped) or a tar file.
 *
 *   npx --no-install node packages/redeflate/bench/coverage.ts [dir-or-tar] [MiB]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { RebuildPool, expandGzip, reconstructGzip } from '@strata/redeflate';
import {
  buildGoGzip,
  gnuGzip,
  goGzip,
  nodeGzip,
  pigz,
  pythonGzip,
  skopeoPgzip,
  tarOf,
} from '../test/helpers/producers.ts';

const source = process.argv[2] ?? '/usr/share/doc';
const mebibytes = Number(process.argv[3] ?? 16);
const dir = mkdtempSync(join(tmpdir(), 'strata-redeflate-bench-'));
const threads = availableParallelism();
const pool = new RebuildPool({ threads });
try {
  const tar = statSync(source).isDirectory() ? tarOf(source, mebibytes << 20, dir) : readFileSync(source);
  const pieces: Uint8Array[] = [];
  // Several streams per producer: 4 slices of the tar.
  const slice = Math.ceil(tar.length / 4);
  for (let at = 0; at < tar.length; at += slice) pieces.push(tar.subarray(at, at + slice));
  const go = buildGoGzip(dir);
  const producers: Array<[string, (input: Uint8Array) => Uint8Array]> = [
    ['gnu gzip -n -6', (input) => gnuGzip(6, input)],
    ['gnu gzip -n -9', (input) => gnuGzip(9, input)],
    ['gnu gzip -n -1', (input) => gnuGzip(1, input)],
    ['pigz -6', (input) => pigz(6, input)],
    ['python gzip 9', (input) => pythonGzip(9, input)],
    ['node zlib 6', (input) => nodeGzip(6, input)],
    ['go compress/gzip 6', (input) => goGzip(go, 6, input)],
    ['pgzip (skopeo)', (input) => skopeoPgzip(input, mkdtempSync(join(dir, 'skopeo-')))],
  ];
  console.log(`input: ${source}, ${(tar.length / 2 ** 20).toFixed(1)} MiB tar in ${pieces.length} streams per producer`);
  console.log(`| producer | reproduced | compressed MiB | corrections B/MiB | expand MB/s | reconstruct MB/s | reconstruct MB/s, ${threads} threads |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, produce] of producers) {
    let ok = 0;
    let compressed = 0;
    let corrections = 0;
    let expandSeconds = 0;
    let rebuildSeconds = 0;
    let poolSeconds = 0;
    for (const piece of pieces) {
      const gz = produce(piece);
      compressed += gz.length;
      let started = performance.now();
      const expansion = expandGzip(gz);
      expandSeconds += (performance.now() - started) / 1000;
      started = performance.now();
      const rebuilt = reconstructGzip(expansion.plaintext, expansion.corrections);
      rebuildSeconds += (performance.now() - started) / 1000;
      started = performance.now();
      const pooled = await pool.reconstructGzip(expansion.plaintext, expansion.corrections);
      poolSeconds += (performance.now() - started) / 1000;
      corrections += expansion.corrections.length;
      if (Buffer.compare(Buffer.from(rebuilt), Buffer.from(gz)) === 0 && Buffer.compare(Buffer.from(pooled), Buffer.from(gz)) === 0) ok++;
    }
    const mib = compressed / 2 ** 20;
    console.log(
      `| ${name} | ${ok}/${pieces.length} | ${mib.toFixed(1)} | ${Math.round(corrections / mib)} | ${(compressed / 1e6 / expandSeconds).toFixed(1)} | ${(compressed / 1e6 / rebuildSeconds).toFixed(1)} | ${(compressed / 1e6 / poolSeconds).toFixed(1)} |`,
    );
  }
} finally {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
}
