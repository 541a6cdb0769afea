import test from 'ava';
import { runContentStoreSuite } from '@strata/cas-testsuite';
import { engineFactory } from './engine-factory.ts';

// The engine on a local directory, with its compression pool: what `strata serve` runs.
runContentStoreSuite(test, engineFactory(), {
  name: 'engine',
  // Twice the headroom: a store that buffered the blob could not stay under it. The
  // compression workers' heaps and the allocator's arenas make up most of the rise.
  largeBlobBytes: 512 * 1024 * 1024,
  largeBlobRssHeadroomBytes: 256 * 1024 * 1024,
});

// Small chunks and packs, compression inline: every pack seal and span boundary is crossed by the same cases.
runContentStoreSuite(
  test,
  engineFactory({ targetPackBytes: 256 * 1024, compressThreads: 0, chunker: { minSize: 2048, avgSize: 8192, maxSize: 32768 } }),
  { name: 'engine with small chunks and packs', largeBlobBytes: 64 * 1024 * 1024 },
);
