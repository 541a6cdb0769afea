/**
 * The containers tools (skopeo, buildah) with all of their state in one temp
 * directory. They read /etc/containers whatever CONTAINERS_REGISTRIES_CONF
 * says and, as root, record which registry holds which blob in
 * /var/lib/containers/cache; so each command runs in a private mount
 * namespace where /etc/containers is a bind of a directory here and
 * /var/lib is an empty tmpfs with the blob-info cache bound from here, and
 * the machine's files are neither read nor written.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './measure.ts';

export class ContainersSandbox {
  readonly dir: string;
  readonly #etc: string;
  readonly #cache: string;
  readonly env: NodeJS.ProcessEnv;

  private constructor(dir: string) {
    this.dir = dir;
    this.#etc = join(dir, 'etc-containers');
    this.#cache = join(dir, 'blob-info-cache');
    this.env = { PATH: process.env['PATH'], HOME: join(dir, 'home'), TMPDIR: join(dir, 'tmp') };
  }

  /** A sandbox in `dir` for which the registries at `hosts` (HOST:PORT) speak plain HTTP. */
  static async create(dir: string, hosts: readonly string[]): Promise<ContainersSandbox> {
    const sandbox = new ContainersSandbox(dir);
    for (const sub of [sandbox.#etc, sandbox.#cache, sandbox.env['HOME']!, sandbox.env['TMPDIR']!]) await mkdir(sub, { recursive: true });
    await writeFile(join(sandbox.#etc, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(join(dir, 'auth.json'), JSON.stringify({ auths: {} }));
    await writeFile(
      join(sandbox.#etc, 'registries.conf'),
      `${['unqualified-search-registries = []', ...hosts.flatMap((host) => ['[[registry]]', `location = ${JSON.stringify(host)}`, 'insecure = true'])].join('\n')}\n`,
    );
    return sandbox;
  }

  get authFile(): string {
    return join(this.dir, 'auth.json');
  }

  /** Runs `command args` inside the sandbox's mount namespace, from its directory. */
  run(command: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
    const script = [
      'set -e',
      'etc=$1; cache=$2; shift 2',
      'mount --bind "$etc" /etc/containers',
      'mount -t tmpfs -o mode=0755 strata-bench /var/lib',
      'mkdir -p /var/lib/containers/cache',
      'mount --bind "$cache" /var/lib/containers/cache',
      'exec "$@"',
    ].join('\n');
    const namespace = ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', this.#etc, this.#cache];
    return runCommand('unshare', [...namespace, command, ...args], { env: this.env, cwd: this.dir, signal });
  }
}
