/**
 * skopeo with all of its state in one temp directory. skopeo 1.9 reads
 * /etc/containers whatever CONTAINERS_REGISTRIES_CONF says and, as root,
 * records which registry holds which blob in /var/lib/containers/cache; so
 * each command runs in a private mount namespace where those two paths are
 * binds of directories here, and the machine's files are neither read nor
 * written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstLine, runCommand, type CommandResult } from './measure.ts';

export class Skopeo {
  readonly #dir: string;
  readonly #etc: string;
  readonly #cache: string;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#etc = join(dir, 'etc-containers');
    this.#cache = join(dir, 'blob-info-cache');
    this.#env = { PATH: process.env['PATH'], HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp') };
  }

  /** A client in `dir` for which the registries at `hosts` (HOST:PORT) speak plain HTTP. */
  static async create(dir: string, hosts: readonly string[]): Promise<Skopeo> {
    const skopeo = new Skopeo(dir);
    for (const sub of [skopeo.#etc, skopeo.#cache, skopeo.#env['HOME']!, skopeo.#env['TMPDIR']!]) await mkdir(sub, { recursive: true });
    await writeFile(join(skopeo.#etc, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: {} }));
    await writeFile(
      join(skopeo.#etc, 'registries.conf'),
      `${['unqualified-search-registries = []', ...hosts.flatMap((host) => ['[[registry]]', `location = ${JSON.stringify(host)}`, 'insecure = true'])].join('\n')}\n`,
    );
    return skopeo;
  }

  /** `skopeo copy` from `source` to `destination` (transport:reference), plain HTTP both ways. */
  copy(source: string, destination: string, signal: AbortSignal): Promise<CommandResult> {
    const args = ['copy', '--authfile', join(this.#dir, 'auth.json'), '--src-tls-verify=false', '--dest-tls-verify=false', source, destination];
    return this.#run(args, signal);
  }

  #run(args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
    const script = [
      'set -e',
      'etc=$1; cache=$2; shift 2',
      'mount --bind "$etc" /etc/containers',
      'mount -t tmpfs -o mode=0755 strata-bench /var/lib',
      'mkdir -p /var/lib/containers/cache',
      'mount --bind "$cache" /var/lib/containers/cache',
      'exec "$@"',
    ].join('\n');
    const command = ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', this.#etc, this.#cache];
    return runCommand('unshare', [...command, 'skopeo', '--tmpdir', this.#env['TMPDIR']!, ...args], { env: this.#env, cwd: this.#dir, signal });
  }
}

export function skopeoVersion(): Promise<string> {
  return firstLine('skopeo', ['--version']);
}
