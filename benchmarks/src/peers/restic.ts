import { join } from 'node:path';
import { diskUsage, firstLine, runCommand, timed } from '../measure.ts';
import type { Peer } from './peer.ts';

/** A fixed password: the repository is thrown away after the run. */
const BENCHMARK_PASSWORD = 'strata-benchmark';

function resticEnv(workdir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RESTIC_REPOSITORY: join(workdir, 'repo'),
    RESTIC_PASSWORD: BENCHMARK_PASSWORD,
    RESTIC_CACHE_DIR: join(workdir, 'cache'),
  };
}

/**
 * restic with a version 2 repository (compressed with zstd) and its own
 * chunker (about 1 MiB average: restic's chunk size is not configurable).
 */
export const restic: Peer = {
  name: 'restic',
  settings: 'init --repository-version 2; backup --compression auto --no-cache',

  async version() {
    return firstLine('restic', ['version']);
  },

  async run(input, workdir, signal) {
    const env = resticEnv(workdir);
    await runCommand('restic', ['init', '--repository-version', '2'], { env, signal });
    const backup = ['backup', '--compression', 'auto', '--no-cache', '--quiet', '.'];
    const { seconds } = await timed(() => runCommand('restic', backup, { env, cwd: input.dir, signal }));
    const usage = await diskUsage([join(workdir, 'repo')]);
    return { seconds, storedBytes: usage.storedBytes, storedWhat: 'repository' };
  },
};
