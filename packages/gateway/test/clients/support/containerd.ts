import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { inPrivateMounts } from './mounts.ts';
import { run, startDaemon, waitFor, type RunOptions, type RunResult } from './processes.ts';
import type { Workspace } from './workspace.ts';

/**
 * A private containerd: root, state and sockets in the workspace, no CRI
 * plugin, the native snapshotter (plain directories, no overlay), in a
 * private mount namespace so its mounts go with it.
 */
export class Containerd {
  readonly socket: string;

  private constructor(socket: string) {
    this.socket = socket;
  }

  static async start(t: ExecutionContext, workspace: Workspace, name: string): Promise<Containerd> {
    const dir = await workspace.dir(name);
    const socket = join(dir, 'containerd.sock');
    const config = join(dir, 'config.toml');
    const toml = (value: string): string => JSON.stringify(value);
    await writeFile(
      config,
      [
        'version = 2',
        `root = ${toml(join(dir, 'root'))}`,
        `state = ${toml(join(dir, 'state'))}`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp"]',
        '[grpc]',
        `  address = ${toml(socket)}`,
        '[ttrpc]',
        `  address = ${toml(`${socket}.ttrpc`)}`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
      ].join('\n') + '\n',
    );
    const [command, args] = inPrivateMounts('containerd', ['--config', config]);
    const daemon = await startDaemon(t, command, args, { env: { PATH: process.env['PATH'], HOME: dir }, logFile: join(dir, 'containerd.log') });
    const containerd = new Containerd(socket);
    await waitFor(() => containerd.ctr(['version'], { timeoutMs: 10_000 }).then(() => true), 30_000, daemon.log);
    return containerd;
  }

  /** `ctr` against this containerd, in a namespace of its own. */
  ctr(args: string[], options: RunOptions = {}): Promise<RunResult> {
    return run('ctr', ['--address', this.socket, '--namespace', 'strata-test', ...args], { env: { PATH: process.env['PATH'] }, ...options });
  }
}
