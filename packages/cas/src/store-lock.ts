import { open, readFile, rm } from 'node:fs/promises';
import { StrataError } from '@strata/errors';

/**
 * One process at a time owns a store directory: packs are appended by a
 * single writer. The lock file holds the owner's pid; a lock left by a
 * process that no longer runs (killed) is taken over.
 */
export class StoreLock {
  readonly #path: string;

  private constructor(path: string) {
    this.#path = path;
  }

  static async acquire(path: string): Promise<StoreLock> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return new StoreLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
        throw new StrataError('Unavailable', `store is in use by process ${owner}`, { details: { pid: owner } });
      }
      if (owner === process.pid) {
        throw new StrataError('Unavailable', 'store is already open in this process');
      }
      await rm(path, { force: true });
    }
    throw new StrataError('Unavailable', `cannot take the store lock ${path}`);
  }

  async release(): Promise<void> {
    await rm(this.#path, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
