import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import {
  DEFAULT_GRACE_PERIOD_MS,
  LmdbMetadata,
  LocalCollectionGuard,
  PgMetadata,
  collectRegistryGarbage,
  describeMetadata,
  loadRetentionFile,
  lockMetadataDir,
  parseMetadataUrl,
  type CollectionGuard,
  type RegistryGcReport,
  type RegistryMetadata,
  type RetentionPolicy,
} from '@strata/gateway';
import { StrataError } from '@strata/errors';
import { parseDurationArgument } from '../arguments.ts';
import type { CliContext } from '../context.ts';
import { humanBytes } from '../format.ts';
import { startProgress } from '../progress.ts';
import { withAnyStore, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface GcCommandOptions extends StoreOptions {
  dryRun?: boolean;
  json?: boolean;
  retention?: string;
  grace?: number;
  uploadExpiry?: number;
  metadata?: string;
}

export function registerGc(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command('gc')
      .summary("collect the registry's garbage")
      .description(
        'Collect garbage in a registry: apply the retention rules, remove unreferenced manifests and blob links, delete blobs no repository links from the store, expire idle upload sessions, then sweep chunks and compact packs. With LMDB metadata (DIR/gateway) no `strata serve` may be using the directory; with --cas, DIR holds the registry metadata and the content is in the `strata cas` server. With --metadata postgresql://… (and --cas) the collection runs while the gateways over that metadata serve: it takes the same lock as their collections, and fails if one of them is collecting.',
      ),
  )
    .addOption(
      new Option('--metadata <url>', 'registry metadata in PostgreSQL (postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME]), as given to `strata serve`; needs --cas').env(
        'STRATA_METADATA',
      ),
    )
    .option('--dry-run', 'report what would be removed; change nothing')
    .option('--retention <file>', 'retention rules (YAML): untagged manifests after N days, last K tags per pattern')
    .option('--grace <duration>', 'keep blobs linked or pushed this recently, whatever references them (default 1h)', parseDurationArgument)
    .option('--upload-expiry <duration>', 'abort upload sessions idle this long (default 24h)', parseDurationArgument)
    .option('--json', 'print the report as one JSON object')
    .action((options: GcCommandOptions, command: Command) => gc(options, context, command));
}

async function gc(options: GcCommandOptions, context: CliContext, command: Command): Promise<void> {
  const retention: RetentionPolicy | undefined = options.retention === undefined ? undefined : await loadRetentionFile(options.retention);
  const report = options.metadata === undefined ? await gcLmdb(options, context, command, retention) : await gcPostgres(options, options.metadata, context, command, retention);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : reportText(report));
}

/** LMDB metadata is one process's: the directory lock keeps `strata serve` and this apart. */
async function gcLmdb(options: GcCommandOptions, context: CliContext, command: Command, retention: RetentionPolicy | undefined): Promise<RegistryGcReport> {
  const metadataDir = join(resolve(options.data), 'gateway');
  if (!(await isDirectory(metadataDir))) {
    throw new StrataError('NotFound', `no registry in ${options.data} (${metadataDir} does not exist)`, { details: { dataDir: options.data } });
  }
  // Taken before the store is opened: a serving registry holds it, and the message says so.
  const unlock = await lockMetadataDir(metadataDir);
  try {
    return await withAnyStore(command, options, 'write', async (store) => {
      const metadata = await LmdbMetadata.open(metadataDir);
      try {
        // Nothing pushes meanwhile: the guard has no one to order.
        return await collect(store, metadata, new LocalCollectionGuard({ recentMs: 0 }), options, context, retention);
      } finally {
        await metadata.close();
      }
    });
  } finally {
    await unlock();
  }
}

/**
 * PostgreSQL metadata is shared with gateways that go on serving: the
 * collection claims the guard every one of them uses, and orders its
 * deletes against their pushes with it.
 */
async function gcPostgres(
  options: GcCommandOptions,
  url: string,
  context: CliContext,
  command: Command,
  retention: RetentionPolicy | undefined,
): Promise<RegistryGcReport> {
  let pgOptions: ReturnType<typeof parseMetadataUrl>;
  try {
    pgOptions = parseMetadataUrl(url);
  } catch (error) {
    // The message shows the URL without its password, unlike commander's own argument errors.
    command.error(`--metadata: ${error instanceof Error ? error.message : String(error)}`, { exitCode: 2, code: 'strata.usage' });
  }
  if (options.cas === undefined) {
    command.error('--metadata needs --cas: the content of a registry over PostgreSQL is in a `strata cas` server', { exitCode: 2, code: 'strata.usage' });
  }
  return withAnyStore(command, options, 'write', async (store) => {
    const metadata = await PgMetadata.open(pgOptions);
    // Pushes through the gateways are protected as from their own collections: the grace period counts uses too.
    const guard = metadata.createCollectionGuard({ recentMs: options.grace ?? DEFAULT_GRACE_PERIOD_MS });
    try {
      const release = await guard.claim();
      if (!release) {
        throw new StrataError('Aborted', `another collection over ${describeMetadata(pgOptions, options.data)} is running; try again when it ends`);
      }
      try {
        return await collect(store, metadata, guard, options, context, retention);
      } finally {
        await release();
      }
    } finally {
      await guard.close();
      await metadata.close();
    }
  });
}

async function collect(
  store: Parameters<typeof collectRegistryGarbage>[0]['store'],
  metadata: RegistryMetadata,
  guard: CollectionGuard,
  options: GcCommandOptions,
  context: CliContext,
  retention: RetentionPolicy | undefined,
): Promise<RegistryGcReport> {
  const progress = startProgress('count', 'gc');
  try {
    return await collectRegistryGarbage(
      { metadata, store, guard },
      {
        dryRun: options.dryRun ?? false,
        ...(options.grace !== undefined ? { gracePeriodMs: options.grace } : {}),
        ...(options.uploadExpiry !== undefined ? { uploadExpiryMs: options.uploadExpiry } : {}),
        signal: context.signal,
        onProgress: ({ done, total, phase }) => progress.update(done, total, phase),
        ...(retention ? { retention } : {}),
      },
    );
  } finally {
    progress.stop();
  }
}

function reportText(report: RegistryGcReport): string {
  const would = report.dryRun ? 'would be ' : '';
  const lines = [
    `${report.repositories} repositories; ${report.tagsDeleted} tags, ${report.manifestsDeleted} manifests and ${report.linksRemoved} blob links ${would}removed`,
    `${report.blobsDeleted} blobs ${would}deleted from the store (${humanBytes(report.blobBytesDeleted)}); ${report.uploadsExpired} idle uploads ${would}expired`,
  ];
  if (report.store) {
    const store = report.store;
    lines.push(
      `store: ${store.chunksSwept} chunks ${would}swept, ${store.packsCompacted} packs ${would}compacted, ${store.packsDeleted} packs ${would}deleted; ${humanBytes(store.bytesReclaimed)} ${report.dryRun ? 'would be ' : ''}reclaimed`,
    );
  } else {
    lines.push('store: no chunk collection (the store does not offer one)');
  }
  lines.push(`took ${(report.durationMs / 1000).toFixed(1)} s${report.dryRun ? ' (dry run: nothing changed)' : ''}`);
  return lines.map((line) => `${line}\n`).join('');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
