import { join } from 'node:path';
import { diskUsage, firstLine, runCommand, timed } from '../measure.ts';
import type { Peer } from './peer.ts';

/** borg's settings and caches live under the run's workdir, never in the user's home. */
function borgEnv(workdir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BORG_BASE_DIR: join(workdir, 'base'),
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  };
}

/**
 * borg with an unencrypted repository, zstd level 3 and buzhash chunks of
 * 2^16 bytes on average (2^14 min, 2^18 max), the closest borg gets to
 * strata's 64 KiB FastCDC.
 */
export const borg: Peer = {
  name: 'borg',
  settings: 'init --encryption=none; create --compression zstd,3 --chunker-params buzhash,14,18,16,4095',

  async version() {
    return firstLine('borg', ['--version']);
  },

  async run(input, workdir, signal) {
    const repo = join(workdir, 'repo');
    const env = borgEnv(workdir);
    await runCommand('borg', ['init', '--encryption=none', repo], { env, signal });
    const create = ['create', '--compression', 'zstd,3', '--chunker-params', 'buzhash,14,18,16,4095', `${repo}::a`, '.'];
    const { seconds } = await timed(() => runCommand('borg', create, { env, cwd: input.dir, signal }));
    const usage = await diskUsage([repo]);
    return { seconds, storedBytes: usage.storedBytes, storedWhat: 'repository (cache dir not counted)' };
  },
};
