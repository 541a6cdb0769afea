import test from 'ava';
import { fileURLToPath } from 'node:url';
import { isNotFound } from '@strata/errors';
import { openStore } from '@strata/cas';
import { readJournal, runUntilKilled } from './fixtures/write-delete-loop.ts';
import { seededBytes, sha256, tempDir } from './support.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/** What the killed writers were told had happened. */
interface Promised {
  committed: Map<string, { seed: string; size: number }>;
  deleted: Set<string>;
  /** Deletes begun: when one was cut short by the kill, the blob may be there or not. */
  deleting: Set<string>;
  /** Garbage collections that completed. */
  collections: { chunksSwept: number; packsDeleted: number }[];
  /** Torn bytes each reopen cut. */
  tornBytes: number;
}

/** Runs the writer until `killAfterMs` past its ready line, then SIGKILLs it; collects what it promised (from its journal). */
async function runWriter(dir: string, prefix: string, killAfterMs: number, promised: Promised, mode?: 'gc'): Promise<void> {
  const lines = await runUntilKilled(WRITER, [dir, prefix, ...(mode ? [mode] : [])], { kill: { msAfterReady: killAfterMs } });
  readJournal(lines, promised);
  for (const line of lines) {
    const [what, value] = line.split(' ');
    if (what === 'ready') promised.tornBytes += Number(value);
    else if (what === 'gc') promised.collections.push(JSON.parse(line.slice(3)) as Promised['collections'][number]);
  }
}

function expectedBytes(seed: string, size: number): Buffer {
  if (!seed.startsWith('half:')) return seededBytes(seed, size);
  const [, first, second] = seed.split(':');
  return Buffer.concat([seededBytes(first!, size >> 1), seededBytes(second!, size - (size >> 1))]);
}

test('a store killed at any point keeps every committed blob bit-exact and fscks clean', async (t) => {
  const dir = await tempDir(t, 'strata-crash-');
  const promised: Promised = { committed: new Map(), deleted: new Set(), deleting: new Set(), collections: [], tornBytes: 0 };
  // Different kill points: during start-up and recovery, early writes, and deep into a run.
  const killPoints = [5, 150, 400, 900, 1600, 2500, 60, 3200];
  for (const [round, killAfterMs] of killPoints.entries()) {
    await runWriter(dir, `round${round}`, killAfterMs, promised);
  }
  t.log(`${promised.committed.size} commits, ${promised.deleted.size} deletes over ${killPoints.length} kills; reopens cut ${promised.tornBytes} torn bytes`);
  t.true(promised.committed.size > 10);

  const store = await openStore(dir);
  t.teardown(() => store.close());
  t.log(`recovery: ${JSON.stringify(store.openReport)}`);
  t.deepEqual(store.openReport.damagedPacks, []);
  for (const [digest, { seed, size }] of promised.committed) {
    if (promised.deleted.has(digest)) {
      t.true(isNotFound(await t.throwsAsync(store.stat(digest))), `deleted ${digest} is gone`);
      continue;
    }
    // A delete the kill cut short may or may not have happened; either way nothing else is lost.
    if (promised.deleting.has(digest) && (await store.findMissing([digest])).length > 0) continue;
    const expected = expectedBytes(seed, size);
    t.is(sha256(expected), digest, `digest of seed ${seed}`);
    const read = await store.read(digest);
    const pieces: Buffer[] = [];
    for await (const piece of read.body) pieces.push(piece as Buffer);
    t.true(Buffer.concat(pieces).equals(expected), `blob ${seed} reads back bit-exact`);
  }
  const report = await store.fsck();
  t.deepEqual(report.damage, []);
  t.true(report.ok);
});

test('a store killed while garbage collection sweeps and compacts keeps every committed blob bit-exact', async (t) => {
  const dir = await tempDir(t, 'strata-crash-gc-');
  const promised: Promised = { committed: new Map(), deleted: new Set(), deleting: new Set(), collections: [], tornBytes: 0 };
  const killPoints = [600, 1800, 2600, 1200, 3400, 2100];
  for (const [round, killAfterMs] of killPoints.entries()) {
    await runWriter(dir, `gc${round}`, killAfterMs, promised, 'gc');
  }
  const swept = promised.collections.reduce((sum, c) => sum + c.chunksSwept, 0);
  const removed = promised.collections.reduce((sum, c) => sum + c.packsDeleted, 0);
  t.log(`${promised.committed.size} commits, ${promised.deleted.size} deletes, ${promised.collections.length} collections (${swept} chunks swept, ${removed} packs removed) over ${killPoints.length} kills`);
  t.true(promised.committed.size > 5);
  t.true(promised.collections.length > 0);

  const store = await openStore(dir);
  t.teardown(() => store.close());
  t.deepEqual(store.openReport.damagedPacks, []);
  t.deepEqual(store.openReport.replay.skipped, []);
  const verify = async (): Promise<void> => {
    for (const [digest, { seed, size }] of promised.committed) {
      if (promised.deleted.has(digest)) {
        t.true(isNotFound(await t.throwsAsync(store.stat(digest))), `deleted ${digest} is gone`);
        continue;
      }
      // A delete the kill cut short may or may not have happened; either way nothing else is lost.
      if (promised.deleting.has(digest) && (await store.findMissing([digest])).length > 0) continue;
      const read = await store.read(digest);
      const pieces: Buffer[] = [];
      for await (const piece of read.body) pieces.push(piece as Buffer);
      t.true(Buffer.concat(pieces).equals(expectedBytes(seed, size)), `blob ${seed} reads back bit-exact`);
    }
    const report = await store.fsck();
    t.deepEqual(report.damage, []);
  };
  await verify();
  // One more collection after recovery, then the same again.
  await store.collectGarbage({ minLiveFraction: 0.9 });
  await verify();
});
