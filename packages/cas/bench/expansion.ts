/**
 * Layer expansion figures per producer: whether the layer is kept expanded,
 * correction bytes per MiB of compressed layer, expansion time, cold
 * reconstruction throughput (MB/s of compressed output, hot cache off) and
 * hot pulls of the expanded layer against repeated reads of the same blob
 * stored plain (1 MB = 10^6 bytes). Not a test.
 *
 *   npx --no-install node packages/cas/bench/expansion.ts [dir] [MiB of tar]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, writeBlob, type Engine } from '@strata/cas';
import { filesUnder, gnuTar, producers } from '../test/fixtures/layers.ts';

const root = process.argv[2] ?? '/usr/share/doc';
const mebibytes = Number(process.argv[3] ?? 16);
const HOT_READS = 5;

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function timedRead(engine: Engine, digest: string): Promise<number> {
  const started = process.hrtime.bigint();
  const read = await engine.read(digest);
  for await (const piece of read.body) void piece;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function bestOf(engine: Engine, digest: string, times: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < times; i++) best = Math.min(best, await timedRead(engine, digest));
  return best;
}

const mbps = (bytes: number, seconds: number): string => (bytes / 1e6 / seconds).toFixed(1);

const tar = gnuTar(root, filesUnder(root, mebibytes << 20));
const scratch = await mkdtemp(join(tmpdir(), 'strata-expansion-bench-'));
try {
  process.stdout.write(`input: ${root}, ${(tar.length / 2 ** 20).toFixed(1)} MiB tar\n`);
  process.stdout.write('| producer | kept expanded | compressed MiB | corrections B/MiB | expand s | cold rebuild MB/s | hot expanded MB/s | hot plain MB/s | hot ratio |\n');
  process.stdout.write('|---|---|---|---|---|---|---|---|---|\n');
  for (const [i, producer] of producers.entries()) {
    const layer = await producer.compress(tar);
    const digest = sha256(layer);
    const expandedStore = await openStore(join(scratch, `expanded-${i}`), { hotCacheBytes: 1024 * 1024 * 1024 });
    const plainStore = await openStore(join(scratch, `plain-${i}`), { hotCacheBytes: 1024 * 1024 * 1024 });
    const coldStore = { dir: join(scratch, `expanded-${i}`) };
    try {
      for (const store of [expandedStore, plainStore]) await writeBlob(store, [layer], { digest, size: layer.length });
      const started = process.hrtime.bigint();
      const result = await expandedStore.expandBlob(digest);
      const expandSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const expanded = result.outcome === 'expanded';
      await expandedStore.close();
      // Cold: the hot cache off, every byte rebuilt from the chunks.
      const cold = await openStore(coldStore.dir, { hotCacheBytes: 0 });
      const coldSeconds = await timedRead(cold, digest);
      await cold.close();
      const hot = await openStore(coldStore.dir, { hotCacheBytes: 1024 * 1024 * 1024 });
      await timedRead(hot, digest);
      const hotSeconds = await bestOf(hot, digest, HOT_READS);
      await hot.close();
      await timedRead(plainStore, digest);
      const plainSeconds = await bestOf(plainStore, digest, HOT_READS);
      const correctionsPerMiB = expanded ? ((result.correctionBytes ?? 0) / (layer.length / 2 ** 20)).toFixed(0) : '-';
      process.stdout.write(
        `| ${producer.name} | ${expanded ? 'yes' : `no (${result.reason})`} | ${(layer.length / 2 ** 20).toFixed(2)} | ${correctionsPerMiB} | ${expandSeconds.toFixed(2)} | ${mbps(layer.length, coldSeconds)} | ${mbps(layer.length, hotSeconds)} | ${mbps(layer.length, plainSeconds)} | ${(plainSeconds / hotSeconds).toFixed(2)} |\n`,
      );
    } finally {
      await plainStore.close();
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
