import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@strata/cas';
import { runContentStoreSuite } from '@strata/cas-testsuite';

// The engine on a local directory, with its compression pool: what `strata serve` runs.
runContentStoreSuite(
  test,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-engine-suite-'));
    const store = await openStore(dir);
    return {
      store,
      admin: store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  {
    name: 'engine',
    // Twice the headroom: a store that buffered the blob could not stay under it. The
    // compression workers' heaps and the allocator's arenas make up most of the rise.
    largeBlobBytes: 512 * 1024 * 1024,
    largeBlobRssHeadroomBytes: 256 * 1024 * 1024,
  },
);

// Small packs and inline compression: every pack seal and recovery path is crossed by the same cases.
runContentStoreSuite(
  test,
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-engine-suite-'));
    const store = await openStore(dir, {
      targetPackBytes: 256 * 1024,
      compressThreads: 0,
      chunker: { minSize: 2048, avgSize: 8192, maxSize: 32768 },
    });
    return {
      store,
      admin: store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { name: 'engine with small chunks and packs', largeBlobBytes: 64 * 1024 * 1024 },
);
