import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { unmountUnder } from './mounts.ts';

/** Workspaces not yet removed, for a worker that dies before its teardowns run (its daemons are killed first). */
const live = new Set<string>();
process.once('exit', () => {
  for (const root of live) {
    try {
      rmSync(root, { recursive: true, force: true });
    } catch {
      // Best effort while the process exits; a teardown that ran has already removed it.
    }
  }
});

/**
 * A fresh temp directory for one test: everything a client or daemon writes
 * lives in it. Teardowns run last-registered first, so daemons started later
 * are stopped before this unmounts what is left and removes the directory.
 */
export async function workspace(t: ExecutionContext): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), 'strata-clients-'));
  live.add(root);
  t.teardown(async () => {
    live.delete(root);
    const leftover = await unmountUnder(root);
    if (leftover.length > 0) t.log(`unmounted leftovers: ${leftover.join(', ')}`);
    await rm(root, { recursive: true, force: true });
  });
  return new Workspace(root);
}

export class Workspace {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** A new directory `name` under the workspace (created with parents). */
  async dir(...name: string[]): Promise<string> {
    const path = join(this.root, ...name);
    await mkdir(path, { recursive: true });
    return path;
  }

  path(...name: string[]): string {
    return join(this.root, ...name);
  }
}
