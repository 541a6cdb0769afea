/** skopeo in a containers sandbox: no file of the machine's is read or written. */
import { ContainersSandbox } from './containers-sandbox.ts';
import { firstLine, type CommandResult } from './measure.ts';

export class Skopeo {
  readonly #sandbox: ContainersSandbox;

  private constructor(sandbox: ContainersSandbox) {
    this.#sandbox = sandbox;
  }

  /** A client in `dir` for which the registries at `hosts` (HOST:PORT) speak plain HTTP. */
  static async create(dir: string, hosts: readonly string[]): Promise<Skopeo> {
    return new Skopeo(await ContainersSandbox.create(dir, hosts));
  }

  /** `skopeo copy` from `source` to `destination` (transport:reference), plain HTTP both ways. */
  copy(source: string, destination: string, signal: AbortSignal): Promise<CommandResult> {
    const args = ['--tmpdir', this.#sandbox.env['TMPDIR']!, 'copy', '--authfile', this.#sandbox.authFile, '--src-tls-verify=false', '--dest-tls-verify=false', source, destination];
    return this.#sandbox.run('skopeo', args, signal);
  }
}

export function skopeoVersion(): Promise<string> {
  return firstLine('skopeo', ['--version']);
}
