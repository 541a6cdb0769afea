import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isNotFound } from '@strata/errors';
import { openStore } from '@strata/cas';
import { seededBytes, sha256, tempDir } from './support.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/** What the killed writers were told had happened. */
interface Promised {
  committed: Map<string, { seed: string; size: number }>;
  deleted: Set<string>;
  /** Torn bytes each reopen cut. */
  tornBytes: number;
}

/** Runs the writer until `killAfterMs` past its ready line, then SIGKILLs it; collects what it promised. */
function runUntilKilled(dir: string, prefix: string, killAfterMs: number, promised: Promised): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [what, digest, seed, size] = line.split(' ');
        if (what === 'ready') {
          promised.tornBytes += Number(digest);
          timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
        else if (what === 'committed') promised.committed.set(digest!, { seed: seed!, size: Number(size) });
        else if (what === 'deleted') promised.deleted.add(digest!);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

function expectedBytes(seed: string, size: number): Buffer {
  if (!seed.startsWith('half:')) return seededBytes(seed, size);
  const [, first, second] = seed.split(':');
  return Buffer.concat([seededBytes(first!, size >> 1), seededBytes(second!, size - (size >> 1))]);
}

test('a store killed at any point keeps every committed blob bit-exact and fscks clean', async (t) => {
  const dir = await tempDir(t, 'strata-crash-');
  const promised: Promised = { committed: new Map(), deleted: new Set(), tornBytes: 0 };
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
