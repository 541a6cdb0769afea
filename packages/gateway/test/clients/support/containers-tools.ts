import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withPrivateContainersState } from './mounts.ts';
import { run, type RunOptions, type RunResult } from './processes.ts';
import type { Workspace } from './workspace.ts';

/**
 * skopeo, podman and buildah (the containers/image family) with every piece
 * of state in one directory: storage (vfs), registries.conf marking the
 * strata registries insecure (plain HTTP), an accept-anything signature
 * policy, containers.conf (cgroupfs, file events, runc), an empty auth file,
 * HOME, XDG dirs, TMPDIR and the blob-info cache. Each command runs in a
 * private mount namespace where these files are /etc/containers, so nothing
 * is read from or written to the machine's /etc/containers or
 * /var/lib/containers.
 */
export class ContainersClient {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly policy: string;
  readonly root: string;
  readonly runroot: string;
  readonly tmp: string;
  readonly blobInfoCache: string;
  readonly etc: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.policy = join(dir, 'etc-containers', 'policy.json');
    this.root = join(dir, 'storage');
    // podman refuses a runroot path longer than 50 characters.
    this.runroot = join(dir, 'rr');
    this.tmp = join(dir, 'tmp');
    this.blobInfoCache = join(dir, 'blob-info-cache');
    this.etc = join(dir, 'etc-containers');
    const home = join(dir, 'home');
    this.env = {
      PATH: process.env['PATH'],
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      TMPDIR: this.tmp,
      CONTAINERS_CONF: join(this.etc, 'containers.conf'),
      CONTAINERS_STORAGE_CONF: join(this.etc, 'storage.conf'),
      CONTAINERS_REGISTRIES_CONF: join(this.etc, 'registries.conf'),
      REGISTRY_AUTH_FILE: join(dir, 'auth.json'),
    };
  }

  /** A client whose state lives in a new directory `name` of the workspace; `registries` (HOST:PORT) are plain HTTP. */
  static async create(workspace: Workspace, name: string, registries: string[]): Promise<ContainersClient> {
    const client = new ContainersClient(await workspace.dir(name));
    await client.writeConfig(registries);
    return client;
  }

  private async writeConfig(registries: string[]): Promise<void> {
    for (const dir of [this.root, this.runroot, this.tmp, this.blobInfoCache, join(this.etc, 'registries.d'), this.env['XDG_RUNTIME_DIR'], this.env['XDG_CONFIG_HOME']]) {
      await mkdir(dir as string, { recursive: true, mode: 0o700 });
    }
    const toml = (value: string): string => JSON.stringify(value);
    await writeFile(this.policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
    await writeFile(this.env['REGISTRY_AUTH_FILE'] as string, JSON.stringify({ auths: {} }));
    await writeFile(
      this.env['CONTAINERS_REGISTRIES_CONF'] as string,
      [
        'unqualified-search-registries = []',
        ...registries.flatMap((host) => ['[[registry]]', `location = ${toml(host)}`, 'insecure = true']),
      ].join('\n') + '\n',
    );
    await writeFile(
      this.env['CONTAINERS_STORAGE_CONF'] as string,
      ['[storage]', 'driver = "vfs"', `graphroot = ${toml(this.root)}`, `runroot = ${toml(this.runroot)}`].join('\n') + '\n',
    );
    await writeFile(
      this.env['CONTAINERS_CONF'] as string,
      [
        '[containers]',
        'netns = "none"',
        // Raising a limit needs CAP_SYS_RESOURCE, which a CI container may not grant; lowering never does.
        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = ${toml(join(this.dir, 'events.log'))}`,
        'runtime = "runc"',
        `tmp_dir = ${toml(join(this.dir, 'libpod-tmp'))}`,
        `static_dir = ${toml(join(this.root, 'libpod'))}`,
        `volume_path = ${toml(join(this.root, 'volumes'))}`,
      ].join('\n') + '\n',
    );
  }

  private exec(command: string, args: string[], options: RunOptions): Promise<RunResult> {
    const [wrapper, wrapped] = withPrivateContainersState(this.etc, this.blobInfoCache, command, args);
    return run(wrapper, wrapped, { env: this.env, cwd: this.dir, ...options });
  }

  skopeo(args: string[], options: RunOptions = {}): Promise<RunResult> {
    // skopeo reads no REGISTRY_AUTH_FILE: without --authfile it would look in the machine's /run/containers.
    const [command, ...rest] = args;
    const auth = command === 'copy' || command === 'inspect' ? ['--authfile', this.env['REGISTRY_AUTH_FILE'] as string] : [];
    return this.exec('skopeo', ['--tmpdir', this.tmp, command as string, ...auth, ...rest], options);
  }

  podman(args: string[], options: RunOptions = {}): Promise<RunResult> {
    const global = ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', 'runc', '--tmpdir', join(this.dir, 'libpod-tmp')];
    return this.exec('podman', [...global, ...args], options);
  }

  buildah(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.exec('buildah', ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs', ...args], options);
  }
}
