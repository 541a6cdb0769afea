import type { Command } from 'commander';
import type { FsckReport, RebuildReport } from '@strata/cas';
import { StrataError } from '@strata/errors';
import type { CliContext } from '../context.ts';
import { startProgress } from '../progress.ts';
import { withAnyStore, withIndexOption, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface FsckCommandOptions extends StoreOptions {
  json?: boolean;
  rebuildIndex?: boolean;
}

export function registerFsck(program: Command, context: CliContext): void {
  withIndexOption(withStoreOptions(
    program
      .command('fsck')
      .summary('verify the store')
      .description(
        'Verify every pack, chunk, recipe and blob. Exits 1 and lists the damaged blobs when anything is damaged.',
      ),
  ))
    .option('--json', 'print the report as one JSON object')
    .option('--rebuild-index', 'first rebuild the index from the packs alone, then verify')
    .action((options: FsckCommandOptions, command: Command) => fsck(options, context, command));
}

async function fsck(options: FsckCommandOptions, context: CliContext, command: Command): Promise<void> {
  if (options.rebuildIndex && options.cas !== undefined) {
    command.error('--rebuild-index works on a data directory only, not over --cas', { exitCode: 2, code: 'strata.usage' });
  }
  const { rebuild, report } = await withAnyStore(command, options, 'read', async (store, engine) => {
    const progress = startProgress('count', 'fsck');
    const onProgress = ({ done, total, phase }: { done: number; total: number; phase: string }): void =>
      progress.update(done, total, phase);
    try {
      const rebuild = options.rebuildIndex && engine ? await engine.rebuildIndex({ signal: context.signal, onProgress }) : undefined;
      const report = await store.fsck({ signal: context.signal, onProgress });
      return { rebuild, report };
    } finally {
      progress.stop();
    }
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(rebuild ? { ...report, rebuild } : report)}\n`);
  } else {
    if (rebuild) process.stdout.write(rebuildText(rebuild));
    process.stdout.write(reportText(report));
  }
  if (!report.ok) {
    throw new StrataError(
      'DataLoss',
      `store is damaged: ${report.damage.length} problems, ${report.damagedBlobs.length} damaged blobs`,
      { details: { damagedBlobs: report.damagedBlobs } },
    );
  }
}

function rebuildText(rebuild: RebuildReport): string {
  const lines = [`rebuilt index from ${rebuild.packs} packs: ${rebuild.chunks} chunks, ${rebuild.blobs} blobs`];
  for (const chunk of rebuild.damagedChunks) lines.push(`damaged chunk left out: ${chunk}`);
  for (const blob of rebuild.lostBlobs) lines.push(`lost blob left out: ${blob}`);
  return lines.map((line) => `${line}\n`).join('');
}

function reportText(report: FsckReport): string {
  const checked = `checked ${report.chunksChecked} chunks, ${report.blobsChecked} blobs`;
  if (report.ok) return `${checked}: ok\n`;
  const lines = [`${checked}: ${report.damage.length} problems, ${report.damagedBlobs.length} damaged blobs`];
  for (const damage of report.damage) lines.push(`damage: ${damage.kind} ${damage.id}: ${damage.problem}`);
  for (const blob of report.damagedBlobs) lines.push(`damaged blob: ${blob}`);
  return lines.map((line) => `${line}\n`).join('');
}
