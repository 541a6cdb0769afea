/**
 * The engine's index backends side by side: ingest, dedup re-ingest and
 * cold read throughput (MB/s, 1 MB = 10^6 bytes, hot cache off) and small
 * blob commits per second, with the embedded LMDB index and with the index
 * in PostgreSQL. Not a test.
 *
 *   npx --no-install node packages/cas/bench/index-backends.ts [lmdb|pg|both] [MiB] [postgresql://URL]
 *
 * `pg` without a URL starts a throwaway PostgreSQL (@strata/test-services),
 * with fsync on so a commit costs what it costs in production.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, writeBlob, type Engine, type EngineOptions } from '@strata/cas';
import { startPostgres, type PostgresServer } from '@strata/test-services';

const which = process.argv[2] ?? 'both';
const mebibytes = Number(process.argv[3] ?? 128);
const givenUrl = process.argv[4];
const BLOB_BYTES = 8 * 1024 * 1024;
const SMALL_COMMITS = 2000;
const SMALL_BYTES = 1024;
const CHUNKED_COMMITS = 400;
const CHUNKED_BYTES = 128 * 1024;
const WRITERS = 16;

function seeded(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
const mbps = (bytes: number, s: number): string => (bytes / 1e6 / s).toFixed(1);

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return seconds(started);
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function measure(name: string, options: EngineOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-index-bench-'));
  let engine: Engine | undefined;
  try {
    engine = await openStore(dir, { ...options, hotCacheBytes: 0 });
    const store = engine;
    const blobs = Array.from({ length: Math.max(1, Math.round((mebibytes * 2 ** 20) / BLOB_BYTES)) }, (_, i) => seeded(`blob-${i}`, BLOB_BYTES));
    const total = blobs.length * BLOB_BYTES;
    const ingest = await timed(async () => {
      for (const blob of blobs) await writeBlob(store, [blob], { digest: sha256(blob), size: blob.length });
    });
    // One byte changed in the middle: almost every chunk is a dedup hit, so this is mostly index lookups.
    const edited = blobs.map((blob) => {
      const copy = Buffer.from(blob);
      copy[copy.length >> 1]! ^= 0xff;
      return copy;
    });
    const dedup = await timed(async () => {
      for (const blob of edited) await writeBlob(store, [blob], { digest: sha256(blob), size: blob.length });
    });
    const read = await timed(async () => {
      for (const blob of blobs) {
        const body = (await store.read(sha256(blob))).body;
        for await (const piece of body) void piece;
      }
    });
    const small = Array.from({ length: SMALL_COMMITS }, (_, i) => seeded(`small-${i}`, SMALL_BYTES));
    const smallSeconds = await timed(() => inParallel(small, WRITERS, async (blob) => void (await writeBlob(store, [blob]))));
    const chunked = Array.from({ length: CHUNKED_COMMITS }, (_, i) => seeded(`chunked-${i}`, CHUNKED_BYTES));
    const chunkedSeconds = await timed(() => inParallel(chunked, WRITERS, async (blob) => void (await writeBlob(store, [blob]))));
    return (
      `| ${name} | ${mbps(total, ingest)} | ${mbps(total, dedup)} | ${mbps(total, read)} | ` +
      `${(SMALL_COMMITS / smallSeconds).toFixed(0)} | ${(CHUNKED_COMMITS / chunkedSeconds).toFixed(0)} |`
    );
  } finally {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

let server: PostgresServer | undefined;
try {
  const rows: string[] = [];
  if (which === 'lmdb' || which === 'both') rows.push(await measure('LMDB', {}));
  if (which === 'pg' || which === 'both') {
    let url = givenUrl;
    if (!url) {
      server = await startPostgres({ durable: true });
      url = server.url;
    }
    rows.push(await measure('PostgreSQL', { index: url } as EngineOptions));
  }
  process.stdout.write(`${mebibytes} MiB in ${BLOB_BYTES >> 20} MiB blobs; ${WRITERS} concurrent writers for commits\n`);
  process.stdout.write(`| index | ingest MB/s | dedup re-ingest MB/s | cold read MB/s | ${SMALL_BYTES} B commits/s | ${CHUNKED_BYTES >> 10} KiB commits/s |\n`);
  process.stdout.write('|---|---|---|---|---|---|\n');
  for (const row of rows) process.stdout.write(`${row}\n`);
} finally {
  await server?.stop();
}
