import { InvalidArgumentError, type Command } from 'commander';
import { startRegistry, type RegistryStore } from '@strata/gateway';
import { connectCas, withCasTlsOptions, type CasClientOptions } from '../cas-connection.ts';
import type { CliContext } from '../context.ts';
import { withDataOption, type DataOptions } from '../store-access.ts';

interface ServeOptions extends DataOptions, CasClientOptions {
  listen: { host: string; port: number };
  delete: boolean;
  auth?: string;
}

export const DEFAULT_LISTEN = '127.0.0.1:5000';

/** How long in-flight requests may run on after SIGTERM or Ctrl-C. */
const SHUTDOWN_DEADLINE_MS = 10_000;

function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:5000');
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export function registerServe(program: Command, context: CliContext): void {
  const command = withDataOption(
    program
      .command('serve')
      .summary('run the registry: OCI Distribution API over the embedded engine')
      .description(
        'Serve the OCI Distribution API (push, pull, referrers, catalog) over the embedded engine, with data in DIR/cas and the registry metadata in DIR/gateway. Logs are JSON lines on stdout; /metrics, /healthz and /readyz are served beside /v2/. SIGTERM or Ctrl-C shuts down gracefully.',
      ),
  )
    .option('--listen <host:port>', 'address to listen on', parseListen, parseListen(DEFAULT_LISTEN))
    .option('--no-delete', 'refuse DELETE of manifests, tags and blobs (405)')
    .option('--auth <file>', 'require sign-in: users and per-repository access rules from FILE (see `strata user add`); SIGHUP reads it again')
    .option('--cas <host:port>', 'keep content in a `strata cas` server instead of DIR/cas (DIR then holds only the registry metadata)');
  withCasTlsOptions(command).action(async (options: ServeOptions) => {
      let store: RegistryStore | undefined;
      if (options.cas !== undefined) store = await connectCas(command, { ...options, cas: options.cas });
      const registry = await startRegistry({
        dataDir: options.data,
        host: options.listen.host,
        port: options.listen.port,
        deletesEnabled: options.delete,
        ...(store ? { store } : {}),
        ...(options.auth !== undefined ? { auth: { file: options.auth } } : {}),
      });
      const reloadAuth = (): void => {
        registry.auth?.reload().then(
          () => process.stderr.write('strata: auth file read again\n'),
          (error: unknown) => process.stderr.write(`strata: auth file not read again, the rules in force stay: ${error instanceof Error ? error.message : String(error)}\n`),
        );
      };
      if (registry.auth) process.on('SIGHUP', reloadAuth);
      const where = options.cas === undefined ? `data in ${options.data}` : `content in strata cas at ${options.cas}, metadata in ${options.data}`;
      process.stderr.write(`strata: serving ${registry.url} (${where})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGHUP', reloadAuth);
          context.signal.removeEventListener('abort', stop);
          resolve();
        };
        process.on('SIGTERM', stop);
        context.signal.addEventListener('abort', stop);
        if (context.signal.aborted) stop();
      });
      process.stderr.write('strata: shutting down\n');
      await registry.close({ deadlineMs: SHUTDOWN_DEADLINE_MS });
    });
}
