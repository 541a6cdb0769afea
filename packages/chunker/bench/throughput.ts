/**
 * Single-core chunking throughput on random data. Not a test: it prints MB/s
 * (1 MB = 10^6 bytes) for the whole-buffer search and for the streaming
 * chunker fed 1 MiB pieces.
 *
 *   npx --no-install node packages/chunker/bench/throughput.ts [MiB] [rounds]
 */
import { randomFillSync } from 'node:crypto';
import { Chunker, DEFAULT_CHUNKER_OPTIONS, cutPoints } from '@strata/chunker';

const mebibytes = Number(process.argv[2] ?? 256);
const rounds = Number(process.argv[3] ?? 3);
const data = new Uint8Array(mebibytes * 1024 * 1024);
for (let offset = 0; offset < data.length; offset += 1 << 30) {
  randomFillSync(data, offset, Math.min(1 << 30, data.length - offset));
}

function measure(label: string, run: () => number): void {
  let best = Infinity;
  let chunks = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    chunks = run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  const mbps = data.length / 1e6 / best;
  const average = Math.round(data.length / chunks);
  console.log(`${label}: ${mbps.toFixed(0)} MB/s (best of ${rounds}, ${chunks} chunks, average ${average} bytes)`);
}

console.log(`${mebibytes} MiB of random data, options ${JSON.stringify(DEFAULT_CHUNKER_OPTIONS)}`);
measure('cutPoints', () => cutPoints(data).length);
measure('Chunker.push, 1 MiB pieces', () => {
  const chunker = new Chunker();
  let count = 0;
  const piece = 1024 * 1024;
  for (let offset = 0; offset < data.length; offset += piece) {
    count += chunker.push(data.subarray(offset, offset + piece)).length;
  }
  return count + (chunker.finish() === undefined ? 0 : 1);
});
