import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CollectionGuard,
  LmdbMetadata,
  collectRegistryGarbage,
  loadRetentionFile,
  lockMetadataDir,
  type RegistryGcReport,
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
}

export function registerGc(program: Command, context: CliContext): void {
  withStoreOptions(
    program
      .command('gc')
      .summary("collect the registry's garbage")
      .description(
        'Collect garbage in a registry data directory that no `strata serve` is using: apply the retention rules, remove unreferenced manifests and blob links, delete blobs no repository links from the store, expire idle upload sessions, then sweep chunks and compact packs. With --cas, DIR holds the registry metadata and the content is in the `strata cas` server.',
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
  const metadataDir = join(resolve(options.data), 'gateway');
  if (!(await isDirectory(metadataDir))) {
    throw new StrataError('NotFound', `no registry in ${options.data} (${metadataDir} does not exist)`, { details: { dataDir: options.data } });
  }
  // Taken before the store is opened: a serving registry holds it, and the message says so.
  const unlock = await lockMetadataDir(metadataDir);
  let report: RegistryGcReport;
  try {
    report = await withAnyStore(command, options, 'write', async (store) => {
      const metadata = await LmdbMetadata.open(metadataDir);
      const progress = startProgress('count', 'gc');
      try {
        return await collectRegistryGarbage(
          { metadata, store, guard: new CollectionGuard({ recentMs: 0 }) },
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
        await metadata.close();
      }
    });
  } finally {
    await unlock();
  }
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : reportText(report));
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
