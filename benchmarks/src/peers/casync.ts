import { join } from 'node:path';
import { diskUsage, firstLine, runCommand, timed } from '../measure.ts';
import type { Peer } from './peer.ts';

/**
 * casync archives a directory tree into a chunk store plus an archive index
 * (`.caidx`; `.caibx` is for single blobs). Chunks average 64 KiB like
 * strata's and are zstd-compressed.
 */
export const casync: Peer = {
  name: 'casync',
  settings: 'make --chunk-size=65536 --compression=zstd (archive index .caidx)',

  async version() {
    return firstLine('casync', ['--version']);
  },

  async run(input, workdir, signal) {
    const store = join(workdir, 'store');
    const index = join(workdir, 'input.caidx');
    const args = ['make', '--chunk-size=65536', '--compression=zstd', `--store=${store}`, index, input.dir];
    const { seconds } = await timed(() => runCommand('casync', args, { signal }));
    const usage = await diskUsage([store, index]);
    return { seconds, storedBytes: usage.storedBytes, storedWhat: 'chunk store + archive index' };
  },
};
