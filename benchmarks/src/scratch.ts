import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temp directories of one benchmark run. Everything made here is removed by
 * `cleanup`, which the entry point calls on success, failure and interrupt
 * alike, so a run never leaves repositories of hundreds of MB behind.
 */
export class Scratch {
  readonly #dirs: string[] = [];

  async dir(label: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `strata-bench-${label}-`));
    this.#dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    while (this.#dirs.length > 0) {
      const dir = this.#dirs.pop()!;
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}
