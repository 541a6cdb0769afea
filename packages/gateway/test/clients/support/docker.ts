import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { inPrivateMounts } from './mounts.ts';
import { run, startDaemon, waitFor, whichEvery, type RunOptions, type RunResult } from './processes.ts';
import type { Workspace } from './workspace.ts';

/**
 * A private Docker daemon: its own socket, data root, exec root, config file
 * and client config in the workspace; no bridge network and no iptables
 * rules, vfs storage; in a private mount namespace so its mounts go with it.
 * Registries on 127.0.0.0/8 are plain HTTP to Docker without configuration.
 */
export class DockerDaemon {
  readonly env: NodeJS.ProcessEnv;
  readonly client: string;

  private constructor(env: NodeJS.ProcessEnv, client: string) {
    this.env = env;
    this.client = client;
  }

  static async start(t: ExecutionContext, workspace: Workspace, name: string): Promise<DockerDaemon> {
    const dir = await workspace.dir(name);
    const socket = join(dir, 'docker.sock');
    const configFile = join(dir, 'daemon.json');
    await writeFile(configFile, '{}\n');
    const home = await workspace.dir(name, 'home');
    const [command, args] = inPrivateMounts('dockerd', [
      '--host', `unix://${socket}`,
      '--config-file', configFile,
      '--data-root', join(dir, 'data'),
      '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'docker.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--storage-driver=vfs',
    ]);
    const daemon = await startDaemon(t, command, args, { env: { PATH: process.env['PATH'], HOME: home }, logFile: join(dir, 'dockerd.log') });
    const env = { PATH: process.env['PATH'], HOME: home, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(home, '.docker') };
    const candidates = await whichEvery('docker');
    if (candidates.length === 0) throw new Error('docker (the client) is not on PATH: install docker.io');
    await waitFor(
      async () => (await run(candidates[0] as string, ['version'], { env, timeoutMs: 10_000 }).then(() => true)),
      60_000,
      daemon.log,
    );
    return new DockerDaemon(env, await matchingClient(candidates, env));
  }

  docker(args: string[], options: RunOptions & { buildkit?: boolean } = {}): Promise<RunResult> {
    const env = { ...this.env, DOCKER_BUILDKIT: options.buildkit ? '1' : '0' };
    return run(this.client, args, { env, ...options });
  }
}

/**
 * The docker client that shipped with the daemon. A newer client found first
 * on PATH builds with BuildKit only through the buildx plugin; the daemon's
 * own client (Debian's docker.io) talks to its built-in BuildKit directly.
 */
async function matchingClient(candidates: string[], env: NodeJS.ProcessEnv): Promise<string> {
  for (const client of candidates) {
    const { stdout } = await run(client, ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], { env, timeoutMs: 10_000 }).catch(
      () => ({ stdout: '' }),
    );
    const [clientVersion, serverVersion] = stdout.trim().split(' ');
    if (clientVersion !== undefined && clientVersion === serverVersion) return client;
  }
  return candidates[0] as string;
}
