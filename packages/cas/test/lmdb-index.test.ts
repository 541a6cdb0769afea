import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbIndex } from '../src/index-db.ts';
import { runEngineIndexSuite } from './engine-index-suite.ts';

runEngineIndexSuite(test, 'LMDB index', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-lmdb-index-'));
  const index = await LmdbIndex.open(dir);
  return {
    index,
    cleanup: async () => {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
