import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbIndex } from '../src/index-db.ts';
import { encodeInlineRecipe } from '../src/recipe.ts';
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

test('LMDB index: long listings read in pages, so writes between entries reuse freed pages instead of growing the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-lmdb-index-'));
  const index = await LmdbIndex.open(dir);
  t.teardown(async () => {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  });
  const durable = { packId: 1, length: 1 };
  const digests: string[] = [];
  for (let i = 0; i < 2500; i++) digests.push(`sha256:${String(i).padStart(64, '0')}`);
  await Promise.all(digests.map((digest) => index.commitBlob({ digest, recipe: encodeInlineRecipe(Buffer.alloc(200, 1), 1), size: 200, chunks: [], durable })));
  const before = await index.diskBytes();
  // Every entry listed once, in order, while each step rewrites (and frees pages of) the entries behind it.
  const listed: string[] = [];
  for await (const { digest } of index.blobs()) {
    listed.push(digest);
    if (listed.length % 10 === 0) {
      await index.deleteBlob(digest, durable);
      await index.commitBlob({ digest, recipe: encodeInlineRecipe(Buffer.alloc(200, 2), 1), size: 200, chunks: [], durable });
    }
  }
  t.deepEqual(listed, digests);
  t.deepEqual((await collect(index.blobs(digests[1500]))).length, 1000);
  t.true((await index.diskBytes()) < 2 * before, `${await index.diskBytes()} bytes after, ${before} before`);
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
