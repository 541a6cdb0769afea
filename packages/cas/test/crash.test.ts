import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNotFound } from '@strata/errors';
import { openStore } from '@strata/cas';
import { JOURNAL_ENV } from './fixtures/write-delete-loop.ts';
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
async function runUntilKilled(dir: string, prefix: string, killAfterMs: number, promised: Promised, mode?: 'gc'): Promise<void> {
  const journals = await mkdtemp(join(tmpdir(), 'strata-crash-journal-'));
  try {
    const journal = join(journals, 'journal');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [WRITER, dir, prefix, ...(mode ? [mode] : [])], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, [JOURNAL_ENV]: journal },
      });
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      child.stdout.on('data', (data: Buffer) => {
        if (data.toString().includes('ready')) timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL') resolve();
        else reject(new Error(`writer exited with ${code}: ${stderr}`));
      });
    });
    for (const line of (await readFile(journal, 'utf8').catch(() => '')).split('\n')) {
      const [what, digest, seed, size] = line.split(' ');
      if (what === 'ready') promised.tornBytes += Number(digest);
      else if (what === 'committed') promised.committed.set(digest!, { seed: seed!, size: Number(size) });
      else if (what === 'deleted') promised.deleted.add(digest!);
      else if (what === 'deleting') promised.deleting.add(digest!);
      else if (what === 'gc') promised.collections.push(JSON.parse(line.slice(3)) as Promised['collections'][number]);
    }
  } finally {
    await rm(journals, { recursive: true, force: true });
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
    await runUntilKilled(dir, `round${round}`, killAfterMs, promised);
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
    await runUntilKilled(dir, `gc${round}`, killAfterMs, promised, 'gc');
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
