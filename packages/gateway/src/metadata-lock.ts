import { mkdir } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { StrataError } from '@strata/errors';
import { lockFile } from './metadata-layout.ts';

/** How long a lock whose holder stopped refreshing it (a crash) blocks others. */
const STALE_MS = 10_000;

/**
 * One process at a time serves or collects a registry's metadata directory:
 * a collection run by `strata gc` next to a serving registry would delete
 * blobs its pushes rely on. The lock also covers a registry whose content
 * lives in a `strata cas` server, where the engine's own store lock is not
 * in this directory. Resolves to the release.
 */
export async function lockMetadataDir(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  try {
    return await lockfile.lock(dir, {
      lockfilePath: lockFile(dir),
      realpath: false,
      stale: STALE_MS,
      // A lost lock (the directory removed under a test, a clock jump) must not bring the process down.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StrataError('Unavailable', `${dir} is in use by another strata process (a running strata serve or strata gc); a crashed one lets go within ${STALE_MS / 1000} s`, {
        cause: error,
        details: { dir },
      });
    }
    throw error;
  }
}
