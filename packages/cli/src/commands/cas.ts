import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { ServerTls } from '@strata/cas';
import { parseByteCount } from '../arguments.ts';
import type { CliContext } from '../context.ts';
import { checkExpansionBounds, expansionBounds, withExpansionBoundOptions, type ExpansionBoundOptions } from '../expansion-options.ts';
import { fileError } from '../file-error.ts';
import { packLocation, withPackOptions, type PackOptions } from '../pack-options.ts';
import { engineDir, withDataOption, type DataOptions } from '../store-access.ts';

export const DEFAULT_CAS_LISTEN = '127.0.0.1:9090';

interface CasOptions extends DataOptions, PackOptions, ExpansionBoundOptions {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  insecure?: boolean;
  authTokenFile?: string;
  graceMs: number;
  expandLayers?: boolean;
  metadata?: string;
}

export function registerCas(program: Command, context: CliContext): void {
  withExpansionBoundOptions(withPackOptions(withDataOption(
    program
      .command('cas')
      .summary('serve the store over gRPC')
      .description(
        'Serve the store of a data directory as a gRPC content store (strata.cas.v1), with health checking and reflection. ' +
          'Prints "listening on HOST:PORT" once it accepts calls. SIGTERM or SIGINT stops it gracefully: calls in flight ' +
          'may finish until --grace-ms, writes still open are saved so their clients can resume them.',
      ),
  ))
    .option('--listen <host:port>', 'address to listen on (port 0 picks a free one)', DEFAULT_CAS_LISTEN)
    .option('--tls-cert <file>', 'PEM certificate chain the server presents')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-client-ca <file>', 'PEM CA bundle: require client certificates it signed (mTLS)')
    .option('--insecure', 'allow plaintext on an address other hosts can reach')
    .option('--auth-token-file <file>', 'require a bearer token from FILE (one per line, # comments) on every call but health checks')
    .option('--grace-ms <n>', 'how long calls in flight may finish after a stop signal', parseByteCount, 10_000)
    .option('--expand-layers', 'expand gzip and zstd layers after commit so they dedup by their files (served back bit-exact); layers stored before are caught up in the background')
    .addOption(
      new Option(
        '--metadata <url>',
        'keep the index (chunks, recipes, refcounts, leases) in PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME], schema strata_cas by default) instead of DIR',
      ).env('STRATA_METADATA'),
    )
    .action((options: CasOptions, command: Command) => serveCas(options, context, command)));
}

async function serveCas(options: CasOptions, context: CliContext, command: Command): Promise<void> {
  checkExpansionBounds(options, command);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    command.error('--tls-cert and --tls-key go together', { exitCode: 2, code: 'strata.usage' });
  }
  if (options.tlsClientCa !== undefined && options.tlsCert === undefined) {
    command.error('--tls-client-ca needs --tls-cert and --tls-key', { exitCode: 2, code: 'strata.usage' });
  }
  const packs = await packLocation(options, command);
  const tls = await loadTls(options);
  const { openStore, serveContentStore, parseBearerTokens, parseIndexUrl } = await import('@strata/cas');
  if (options.metadata !== undefined) {
    try {
      parseIndexUrl(options.metadata);
    } catch (error) {
      // The message shows the URL without its password, unlike commander's own argument errors.
      command.error(`--metadata: ${error instanceof Error ? error.message : String(error)}`, { exitCode: 2, code: 'strata.usage' });
    }
  }
  let authTokens: string[] | undefined;
  if (options.authTokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(options.authTokenFile, 'utf8');
    } catch (error) {
      throw fileError(options.authTokenFile, error);
    }
    authTokens = parseBearerTokens(text);
  }
  // Builders and registries pull what they just pushed: ingests fill the hot cache too.
  const engine = await openStore(engineDir(options.data), {
    cacheIngests: true,
    expandLayers: options.expandLayers === true,
    ...expansionBounds(options),
    ...(packs ? { packs } : {}),
    ...(options.metadata !== undefined ? { index: options.metadata } : {}),
  });
  let server;
  try {
    server = await serveContentStore(engine, {
      listen: options.listen,
      ...(tls ? { tls } : {}),
      ...(authTokens ? { authTokens } : {}),
      insecure: options.insecure === true,
    });
  } catch (error) {
    await engine.close().catch(() => {});
    throw error;
  }
  process.stdout.write(`listening on ${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}\n`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      context.signal.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    context.signal.addEventListener('abort', stop, { once: true });
  });
  process.stderr.write('strata: stopping: finishing calls in flight\n');
  try {
    await server.shutdown(options.graceMs);
  } finally {
    await engine.close();
  }
  process.stderr.write('strata: stopped\n');
}

async function loadTls(options: CasOptions): Promise<ServerTls | undefined> {
  if (options.tlsCert === undefined || options.tlsKey === undefined) return undefined;
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      throw fileError(file, error);
    }
  };
  const tls: ServerTls = { cert: await read(options.tlsCert), key: await read(options.tlsKey) };
  if (options.tlsClientCa !== undefined) tls.clientCa = await read(options.tlsClientCa);
  return tls;
}
