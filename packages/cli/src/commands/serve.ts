import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeMetadata, loadQuotasFile, loadRetentionFile, parseMetadataUrl, startRegistry, type LifecycleSettings, type QuotaPolicy, type RegistryStore, type RetentionPolicy } from '@strata/gateway';
import { parseDurationArgument, parseSizeArgument } from '../arguments.ts';
import { connectCas, withCasTlsOptions, type CasClientOptions } from '../cas-connection.ts';
import type { CliContext } from '../context.ts';
import { packLocation, withPackOptions, type PackOptions } from '../pack-options.ts';
import { checkExpansionBounds, expansionBounds, withExpansionBoundOptions, type ExpansionBoundOptions } from '../expansion-options.ts';
import { engineDir, withDataOption, type DataOptions } from '../store-access.ts';

interface ServeOptions extends DataOptions, CasClientOptions, PackOptions, ExpansionBoundOptions {
  listen: { host: string; port: number };
  delete: boolean;
  expandLayers?: boolean;
  auth?: string;
  gcInterval?: number;
  gcDryRun?: boolean;
  grace?: number;
  uploadExpiry?: number;
  retention?: string;
  quotas?: string;
  cacheBudget?: number;
  metadata?: string;
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
  const command = withPackOptions(withDataOption(
    program
      .command('serve')
      .summary('run the registry: OCI Distribution API over the embedded engine')
      .description(
        'Serve the OCI Distribution API (push, pull, referrers, catalog) over the embedded engine, with data in DIR/cas and the registry metadata in DIR/gateway. Logs are JSON lines on stdout; /metrics, /healthz and /readyz are served beside /v2/. SIGTERM or Ctrl-C shuts down gracefully.',
      ),
  ))
    .option('--listen <host:port>', 'address to listen on', parseListen, parseListen(DEFAULT_LISTEN))
    .option('--no-delete', 'refuse DELETE of manifests, tags and blobs (405)')
    .option('--auth <file>', 'require sign-in: users and per-repository access rules from FILE (see `strata user add`); SIGHUP reads it again')
    .option('--cas <host:port>', 'keep content in a `strata cas` server instead of DIR/cas (DIR then holds only the registry metadata)')
    .option('--expand-layers', 'expand gzip and zstd layers after push so they dedup by their files (served back bit-exact); layers stored before are caught up in the background');
  withExpansionBoundOptions(command)
    .addOption(
      new Option(
        '--metadata <url>',
        'keep the registry metadata in PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]) instead of DIR/gateway, shared by several `strata serve` over one --cas; the embedded engine keeps its index there too, in schema NAME_cas (strata_cas by default)',
      ).env('STRATA_METADATA'),
    )
    .option('--gc-interval <duration>', 'collect garbage online this often (e.g. 6h); the report is logged', parseDurationArgument)
    .option('--gc-dry-run', 'scheduled collections only report what they would remove')
    .option('--grace <duration>', 'collections keep blobs linked or pushed this recently (default 1h)', parseDurationArgument)
    .option('--upload-expiry <duration>', 'collections abort upload sessions idle this long (default 24h)', parseDurationArgument)
    .option('--retention <file>', 'retention rules (YAML) applied by each collection; SIGHUP reads it again')
    .option('--quotas <file>', 'byte quotas per repository prefix (YAML); pushes past them are DENIED; SIGHUP reads it again')
    .option('--cache-budget <size>', 'build-cache mode: evict least recently pulled images to keep stored bytes within SIZE (e.g. 50GiB)', parseSizeArgument);
  withCasTlsOptions(command).action(async (options: ServeOptions) => {
      if (options.metadata !== undefined) {
        try {
          parseMetadataUrl(options.metadata);
        } catch (error) {
          // The message shows the URL without its password, unlike commander's own argument errors.
          command.error(`--metadata: ${error instanceof Error ? error.message : String(error)}`, { exitCode: 2, code: 'strata.usage' });
        }
      }
      let retention: RetentionPolicy | undefined = options.retention === undefined ? undefined : await loadRetentionFile(options.retention);
      let quotas: QuotaPolicy | undefined = options.quotas === undefined ? undefined : await loadQuotasFile(options.quotas);
      checkExpansionBounds(options, command);
      if (options.cas !== undefined && (options.expandMaxSize !== undefined || options.expandMaxPlain !== undefined)) {
        command.error('--expand-max-size and --expand-max-plain are for the embedded engine; with --cas, give them to `strata cas`', { exitCode: 2, code: 'strata.usage' });
      }
      const packs = await packLocation(options, command);
      if (packs && options.cas !== undefined) {
        command.error('--packs is for the embedded engine; with --cas, give it to `strata cas`', { exitCode: 2, code: 'strata.usage' });
      }
      let store: RegistryStore | undefined;
      if (options.cas !== undefined) store = await connectCas(command, { ...options, cas: options.cas });
      else if (packs || options.metadata !== undefined) {
        // The embedded engine as the registry would open it, with its packs in object storage and/or its
        // index in PostgreSQL beside the registry's metadata (a schema of its own); the registry closes it.
        const { openStore, storeIndexKind, withIndexSchema, DEFAULT_INDEX_SCHEMA } = await import('@strata/cas');
        const gatewaySchema = options.metadata === undefined ? undefined : parseMetadataUrl(options.metadata).schema;
        let index = options.metadata === undefined ? undefined : withIndexSchema(options.metadata, gatewaySchema === undefined ? DEFAULT_INDEX_SCHEMA : `${gatewaySchema}_cas`);
        if (index !== undefined && (await storeIndexKind(engineDir(options.data)))?.kind === 'lmdb') {
          // A store made before its index could live in PostgreSQL keeps it where it is.
          process.stderr.write(`strata: the store in ${engineDir(options.data)} keeps its LMDB index; only the registry metadata is in PostgreSQL\n`);
          index = undefined;
        }
        store = await openStore(engineDir(options.data), {
          cacheIngests: true,
          expandLayers: options.expandLayers === true,
          ...expansionBounds(options),
          ...(packs ? { packs } : {}),
          ...(index !== undefined ? { index } : {}),
        });
      }
      const lifecycle: LifecycleSettings = { retention: () => retention };
      if (options.gcInterval !== undefined) lifecycle.gcIntervalMs = options.gcInterval;
      if (options.gcDryRun) lifecycle.gcDryRun = true;
      if (options.grace !== undefined) lifecycle.gracePeriodMs = options.grace;
      if (options.uploadExpiry !== undefined) lifecycle.uploadExpiryMs = options.uploadExpiry;
      if (options.cacheBudget !== undefined) lifecycle.cacheBudgetBytes = options.cacheBudget;
      const registry = await startRegistry({
        dataDir: options.data,
        host: options.listen.host,
        port: options.listen.port,
        deletesEnabled: options.delete,
        lifecycle,
        ...(quotas ? { quotas: () => quotas } : {}),
        ...(store ? { store } : {}),
        ...(options.expandLayers ? { expandLayers: true, expansionBounds: expansionBounds(options) } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
        ...(options.auth !== undefined ? { auth: { file: options.auth } } : {}),
      });
      const reread = (what: string, work: () => Promise<unknown>): void => {
        work().then(
          () => process.stderr.write(`strata: ${what} read again\n`),
          (error: unknown) => process.stderr.write(`strata: ${what} not read again, the rules in force stay: ${error instanceof Error ? error.message : String(error)}\n`),
        );
      };
      const rereadFiles = (): void => {
        if (registry.auth) reread('auth file', () => registry.auth!.reload());
        if (options.retention !== undefined) reread('retention file', async () => (retention = await loadRetentionFile(options.retention!)));
        if (options.quotas !== undefined) reread('quota file', async () => (quotas = await loadQuotasFile(options.quotas!)));
      };
      if (registry.auth || options.retention !== undefined || options.quotas !== undefined) process.on('SIGHUP', rereadFiles);
      const content =
        options.cas !== undefined
          ? `content in strata cas at ${options.cas}`
          : packs
            ? `content in ${options.data}, packs in s3://${packs.bucket}/${packs.prefix}`
            : `content in ${options.data}`;
      const where = `${content}, metadata: ${describeMetadata(options.metadata, options.data)}`;
      process.stderr.write(`strata: serving ${registry.url} (${where})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGHUP', rereadFiles);
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
