import { readFile } from 'node:fs/promises';
import { run } from './processes.ts';

/**
 * The command line that runs `command` in a private mount namespace: every
 * mount the client (or the daemon and the containers it starts) makes
 * disappears with it, and the machine's mount table never changes.
 */
export function inPrivateMounts(command: string, args: string[]): [string, string[]] {
  return ['unshare', ['--mount', '--propagation', 'private', '--', command, ...args]];
}

/**
 * Like `inPrivateMounts`, and also gives the containers/image tools (skopeo,
 * podman, buildah) a private view of the two machine paths they use whatever
 * their flags say: /etc/containers (registries.conf and its drop-ins,
 * policy.json, storage.conf, containers.conf, registries.d) becomes a bind of
 * `etcDir`, and /var/lib/containers/cache (where, running as root, they
 * remember which registry holds which blob) a bind of `cacheDir`.
 */
export function withPrivateContainersState(etcDir: string, cacheDir: string, command: string, args: string[]): [string, string[]] {
  const script = [
    'set -e',
    'etc=$1; shift',
    'mount --bind "$etc" /etc/containers',
    'mount -t tmpfs -o mode=0755 strata-client-test /var/lib',
    'mkdir -p /var/lib/containers/cache',
    'mount --bind "$0" /var/lib/containers/cache',
    'exec "$@"',
  ].join('\n');
  return inPrivateMounts('sh', ['-c', script, cacheDir, etcDir, command, ...args]);
}

/**
 * Unmounts whatever is still mounted under `dir` (deepest first). Clients run
 * in private mount namespaces, so this finds nothing unless one escaped; it
 * keeps a failed run from leaving mounts behind that block removing `dir`.
 */
export async function unmountUnder(dir: string): Promise<string[]> {
  const mountInfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountInfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await run('umount', ['-l', point]).catch(() => undefined);
  return points;
}
