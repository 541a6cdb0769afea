/**
 * The EngineIndex contract, run against every implementation (LMDB and
 * PostgreSQL): commits, refcounts and counters, deletes, the conditional
 * sweep, relocate and swap, leases, saved writes and rebuilds.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { createHash } from 'node:crypto';
import type { ChunkEntry } from '../src/layout.ts';
import type { CommitChunk, EngineIndex } from '../src/index-db.ts';
import { encodeChunkedRecipe, encodeInlineRecipe, encodePackedRecipe } from '../src/recipe.ts';

export interface IndexHarness {
  index: EngineIndex;
  cleanup(): Promise<void>;
}

const durable = { packId: 1, length: 100 };

function digestOf(name: string): Buffer {
  return createHash('sha256').update(name).digest();
}

function location(packId: number, payloadOffset: number, rawLength = 1000): Omit<ChunkEntry, 'refs'> {
  return { packId, payloadOffset, storedLength: rawLength / 2, rawLength, codec: 1 };
}

/** A chunked recipe over named chunks, each `rawLength` 1000, and the commit chunks it needs. */
function chunked(names: string[], located = true): { recipe: Buffer; size: number; chunks: CommitChunk[] } {
  const refs = names.map((name) => ({ digest: digestOf(name), length: 1000 }));
  const uses = new Map<string, number>();
  for (const name of names) uses.set(name, (uses.get(name) ?? 0) + 1);
  const chunks = [...uses].map(([name, count], i) => ({ digest: digestOf(name), uses: count, location: located ? location(1, i * 1000) : undefined }));
  return { recipe: encodeChunkedRecipe(refs, names.length * 1000, 1), size: names.length * 1000, chunks };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export function runEngineIndexSuite(test: TestFn, name: string, open: () => Promise<IndexHarness>): void {
  const it = (title: string, body: (index: EngineIndex, t: ExecutionContext) => Promise<void>): void => {
    test(`${name}: ${title}`, async (t) => {
      const harness = await open();
      try {
        await body(harness.index, t);
      } finally {
        await harness.cleanup();
      }
    });
  };

  it('a commit indexes its recipe and chunks with exact refcounts and counters, once', async (index, t) => {
    const blob = chunked(['a', 'b', 'a']);
    t.deepEqual(await index.commitBlob({ digest: 'sha256:x', recipe: blob.recipe, size: blob.size, chunks: blob.chunks, durable }), { created: true });
    t.deepEqual(await index.commitBlob({ digest: 'sha256:x', recipe: blob.recipe, size: blob.size, chunks: blob.chunks, durable }), { created: false });
    t.deepEqual(await index.getRecipe('sha256:x'), blob.recipe);
    t.is((await index.getChunk(digestOf('a')))?.refs, 2);
    t.is((await index.getChunk(digestOf('b')))?.refs, 1);
    t.deepEqual(await index.hasChunks([digestOf('a'), digestOf('zz'), digestOf('b')]), [true, false, true]);
    t.deepEqual((await index.getChunks([digestOf('zz'), digestOf('b')])).map((entry) => entry?.refs), [undefined, 1]);
    const counters = await index.counters();
    t.is(counters.blobs, 1);
    t.is(counters.logicalBytes, 3000);
    t.is(counters.liveChunks, 2);
    t.is(counters.uniqueBytes, 2000);
    t.is(counters.garbageChunks, 0);
    t.deepEqual(await index.durablePoint(), durable);
  });

  it('concurrent commits of the same blob both succeed and index one copy', async (index, t) => {
    const blob = chunked(['c1', 'c2']);
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => index.commitBlob({ digest: 'sha256:same', recipe: blob.recipe, size: blob.size, chunks: blob.chunks, durable })),
    );
    t.is(results.filter((r) => r.created).length, 1);
    t.is((await index.getChunk(digestOf('c1')))?.refs, 1);
    t.is((await index.counters()).blobs, 1);
  });

  it('a commit naming a chunk neither indexed nor located changes nothing, and others batched with it still land', async (index, t) => {
    const bad = chunked(['ghost'], false);
    const good = chunked(['real']);
    const [failed, ok] = await Promise.allSettled([
      index.commitBlob({ digest: 'sha256:bad', recipe: bad.recipe, size: bad.size, chunks: bad.chunks, durable }),
      index.commitBlob({ digest: 'sha256:good', recipe: good.recipe, size: good.size, chunks: good.chunks, durable }),
    ]);
    t.is(failed.status, 'rejected');
    t.is(ok.status, 'fulfilled');
    t.is(await index.getRecipe('sha256:bad'), undefined);
    t.false(await index.hasChunk(digestOf('ghost')));
    t.is((await index.counters()).blobs, 1);
  });

  it('deleting a blob drops its references; the chunks become garbage and the sweep removes only unprotected ones', async (index, t) => {
    const one = chunked(['s', 'u1']);
    const two = chunked(['s', 'u2']);
    await index.commitBlob({ digest: 'sha256:one', recipe: one.recipe, size: one.size, chunks: one.chunks, durable });
    await index.commitBlob({ digest: 'sha256:two', recipe: two.recipe, size: two.size, chunks: two.chunks, durable });
    t.true(await index.deleteBlob('sha256:one', durable));
    t.false(await index.deleteBlob('sha256:one', durable));
    t.is((await index.getChunk(digestOf('s')))?.refs, 1);
    t.is((await index.getChunk(digestOf('u1')))?.refs, 0);
    let counters = await index.counters();
    t.is(counters.garbageChunks, 1);
    t.is(counters.garbageBytes, 500);
    t.is(counters.liveChunks, 2);
    await index.addChunks([{ digest: digestOf('kept'), location: location(2, 0) }], durable);
    const marked: string[] = [];
    const swept = await index.sweepChunks(
      [digestOf('u1'), digestOf('s'), digestOf('kept'), digestOf('absent')],
      (hex) => hex === digestOf('kept').toString('hex'),
      (hex) => marked.push(hex),
    );
    t.is(swept, 1);
    t.deepEqual(marked, [digestOf('u1').toString('hex')]);
    t.false(await index.hasChunk(digestOf('u1')));
    t.true(await index.hasChunk(digestOf('s')));
    t.true(await index.hasChunk(digestOf('kept')));
    counters = await index.counters();
    t.is(counters.garbageChunks, 1);
    t.is(counters.blobs, 1);
  });

  it('relocate moves only entries still at the copied record', async (index, t) => {
    await index.addChunks([{ digest: digestOf('m1'), location: location(1, 0) }, { digest: digestOf('m2'), location: location(1, 1000) }], durable);
    const packed = encodePackedRecipe(10, 1, { packId: 1, payloadOffset: 5000, storedLength: 10, rawLength: 10, codec: 0 });
    await index.commitBlob({ digest: 'sha256:p', recipe: packed, size: 10, chunks: [], durable });
    const moved = await index.relocate(
      {
        chunks: [
          { digest: digestOf('m1'), from: { packId: 1, payloadOffset: 0 }, to: location(3, 40) },
          { digest: digestOf('m2'), from: { packId: 1, payloadOffset: 999 }, to: location(3, 80) },
        ],
        blobs: [
          { digest: 'sha256:p', from: { packId: 1, payloadOffset: 5000 }, value: Buffer.from('moved') },
          { digest: 'sha256:absent', from: { packId: 1, payloadOffset: 0 }, value: Buffer.from('x') },
        ],
      },
      { packId: 3, length: 200 },
    );
    t.deepEqual(moved, { chunks: 1, blobs: 1 });
    t.like(await index.getChunk(digestOf('m1')), { packId: 3, payloadOffset: 40, refs: 0 });
    t.like(await index.getChunk(digestOf('m2')), { packId: 1, payloadOffset: 1000 });
    t.deepEqual(await index.getRecipe('sha256:p'), Buffer.from('moved'));
    t.deepEqual(await index.durablePoint(), { packId: 3, length: 200 });
    await index.relocate({ chunks: [], blobs: [] }, { packId: 2, length: 999 });
    t.deepEqual(await index.durablePoint(), { packId: 3, length: 200 }, 'the durable point never goes back');
  });

  it('swapRecipe replaces a recipe only if it is unchanged, moving references', async (index, t) => {
    const before = chunked(['w1', 'w2']);
    const after = chunked(['w2', 'w3']);
    await index.commitBlob({ digest: 'sha256:w', recipe: before.recipe, size: before.size, chunks: before.chunks, durable });
    const located = after.chunks.map((chunk, i) => ({ ...chunk, location: location(4, i * 1000) }));
    t.false(await index.swapRecipe({ digest: 'sha256:w', expected: after.recipe, recipe: after.recipe, chunks: located, durable }));
    t.true(await index.swapRecipe({ digest: 'sha256:w', expected: before.recipe, recipe: after.recipe, chunks: located, durable }));
    t.deepEqual(await index.getRecipe('sha256:w'), after.recipe);
    t.is((await index.getChunk(digestOf('w1')))?.refs, 0);
    t.is((await index.getChunk(digestOf('w2')))?.refs, 1);
    t.is((await index.getChunk(digestOf('w3')))?.refs, 1);
    const counters = await index.counters();
    t.is(counters.liveChunks, 2);
    t.is(counters.garbageChunks, 1);
    t.false(await index.swapRecipe({ digest: 'sha256:gone', expected: before.recipe, recipe: after.recipe, chunks: located, durable }));
  });

  it('leases are created once, hold resources, and go with what they hold', async (index, t) => {
    const lease = { createdAt: 1, expiresAt: Date.now() + 60_000, labels: { who: 'test' } };
    t.true(await index.createLease('l1', lease));
    t.false(await index.createLease('l1', lease));
    t.deepEqual(await index.getLease('l1'), lease);
    await index.addChunks([{ digest: digestOf('lc'), location: location(1, 0) }], durable, 'l1');
    const inline = encodeInlineRecipe(Buffer.from('hi'), 1);
    await index.commitBlob({ digest: 'sha256:lb', recipe: inline, size: 2, chunks: [], durable, lease: 'l1' });
    await index.addChunks([{ digest: digestOf('nolease'), location: location(1, 0) }], durable, 'missing');
    t.true((await collect(index.leaseResources('l1'))).includes(`chunk:${digestOf('lc').toString('hex')}`));
    t.deepEqual((await collect(index.leases())).map(({ id }) => id), ['l1']);
    t.true(await index.deleteLease('l1'));
    t.false(await index.deleteLease('l1'));
    t.is(await index.getLease('l1'), undefined);
    t.deepEqual(await collect(index.leaseResources('l1')), []);
    t.true(await index.hasChunk(digestOf('nolease')));
  });

  it('saved writes are put, listed, cleared by their commit and deleted', async (index, t) => {
    const checkpoint = {
      expected: { digest: 'sha256:e', size: 10 },
      startedAt: 1234,
      offset: 7,
      chunks: Buffer.from([1, 2, 3]),
      located: [{ digest: digestOf('loc'), location: location(2, 64) }],
      tail: Buffer.from('tail'),
      lease: 'l9',
    };
    await index.putIngest('ref-1', checkpoint, durable);
    const { lease: _lease, ...withoutLease } = checkpoint;
    await index.putIngest('ref-2', withoutLease, durable);
    t.deepEqual(await index.getIngest('ref-1'), checkpoint);
    t.deepEqual((await collect(index.ingests())).map(({ ref }) => ref), ['ref-1', 'ref-2']);
    const inline = encodeInlineRecipe(Buffer.from('e'), 1);
    await index.commitBlob({ digest: 'sha256:e', recipe: inline, size: 1, chunks: [], durable, clearIngest: 'ref-1' });
    t.is(await index.getIngest('ref-1'), undefined);
    await index.deleteIngest('ref-2');
    t.deepEqual(await collect(index.ingests()), []);
  });

  it('blobs list in byte order from a start, chunks list all, and replaceAll swaps everything', async (index, t) => {
    for (const digest of ['sha256:b', 'sha256:a', 'sha256:c', 'sha256:B']) {
      await index.commitBlob({ digest, recipe: encodeInlineRecipe(Buffer.from(digest), 1), size: digest.length, chunks: [], durable });
    }
    t.deepEqual((await collect(index.blobs())).map(({ digest }) => digest), ['sha256:B', 'sha256:a', 'sha256:b', 'sha256:c']);
    t.deepEqual((await collect(index.blobs('sha256:b'))).map(({ digest }) => digest), ['sha256:b', 'sha256:c']);
    const counters = { ...(await index.counters()), blobs: 1, logicalBytes: 3, uniqueBytes: 1000, liveChunks: 1, garbageChunks: 0, garbageBytes: 0 };
    await index.replaceAll({
      chunks: [{ digest: digestOf('r'), entry: { ...location(9, 0), refs: 1 } }],
      blobs: [{ digest: 'sha256:r', recipe: Buffer.from('r') }],
      counters,
    });
    t.deepEqual((await collect(index.blobs())).map(({ digest }) => digest), ['sha256:r']);
    t.deepEqual((await collect(index.chunks())).map(({ digest, entry }) => [digest.toString('hex'), entry.refs]), [[digestOf('r').toString('hex'), 1]]);
    t.deepEqual(await index.counters(), counters);
  });

  it('expansion marks are kept for indexed blobs only, replaced, and go with their blob or a rebuild', async (index, t) => {
    const blob = chunked(['m1', 'm2']);
    await index.commitBlob({ digest: 'sha256:m', recipe: blob.recipe, size: blob.size, chunks: blob.chunks, durable });
    const mark = { version: 'v1', outcome: 'plain' as const, reason: 'no level reproduces it', triedAt: 1700000000000 };
    await index.putExpansionMark('sha256:m', mark);
    await index.putExpansionMark('sha256:absent', mark);
    const other = chunked(['n1']);
    await index.commitBlob({ digest: 'sha256:n', recipe: other.recipe, size: other.size, chunks: other.chunks, durable });
    const only = async (digest: string) => (await index.getExpansionMarks([digest]))[0];
    t.deepEqual(await index.getExpansionMarks(['sha256:n', 'sha256:m', 'sha256:absent', 'sha256:m']), [undefined, mark, undefined, mark]);
    t.deepEqual(await index.getExpansionMarks([]), []);
    const newer = { ...mark, version: 'v2', outcome: 'skipped' as const, reason: 'not gzip or zstd' };
    await index.putExpansionMark('sha256:m', newer);
    t.deepEqual(await only('sha256:m'), newer);
    t.true(await index.deleteBlob('sha256:m', durable));
    t.is(await only('sha256:m'), undefined);
    // A blob committed again under the same digest starts unmarked.
    await index.commitBlob({ digest: 'sha256:m', recipe: blob.recipe, size: blob.size, chunks: blob.chunks, durable });
    t.is(await only('sha256:m'), undefined);
    await index.putExpansionMark('sha256:m', mark);
    await index.replaceAll({ chunks: [], blobs: [{ digest: 'sha256:m', recipe: blob.recipe }], counters: await index.counters() });
    t.is(await only('sha256:m'), undefined);
    // A rebuild may carry marks over, for the blobs it keeps only.
    await index.replaceAll({
      chunks: [],
      blobs: [{ digest: 'sha256:m', recipe: blob.recipe }],
      counters: await index.counters(),
      marks: [{ digest: 'sha256:m', mark: newer }, { digest: 'sha256:gone', mark }],
    });
    t.deepEqual(await index.getExpansionMarks(['sha256:m', 'sha256:gone']), [newer, undefined]);
  });
}
