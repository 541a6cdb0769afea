import type { Command } from 'commander';
import type { StoreStats } from '@strata/cas';
import type { CliContext } from '../context.ts';
import { bytesWithExact } from '../format.ts';
import { withAnyStore, withIndexOption, withStoreOptions, type StoreOptions } from '../store-access.ts';

interface StatsOptions extends StoreOptions {
  json?: boolean;
}

export function registerStats(program: Command, _context: CliContext): void {
  withIndexOption(withStoreOptions(
    program
      .command('stats')
      .summary('show space and dedup figures')
      .description('Show how many blobs and chunks the store holds, their logical, unique and stored bytes, and the dedup ratio.'),
  ))
    .option('--json', 'print the figures as one JSON object')
    .action(async (options: StatsOptions, command: Command) => {
      const stats = await withAnyStore(command, options, 'read', (store) => store.stats());
      process.stdout.write(options.json ? `${JSON.stringify(stats)}\n` : statsTable(stats));
    });
}

function statsTable(stats: StoreStats): string {
  const rows: [string, string][] = [
    ['blobs', String(stats.blobs)],
    ['chunks', String(stats.chunks)],
    ['logicalBytes', bytesWithExact(stats.logicalBytes)],
    ['uniqueBytes', bytesWithExact(stats.uniqueBytes)],
    ['storedBytes', bytesWithExact(stats.storedBytes)],
    ['dedupRatio', `${stats.dedupRatio.toFixed(2)}x (logical / stored)`],
    ['garbageBytes', `${bytesWithExact(stats.garbageBytes)} in ${stats.garbageChunks} chunks`],
    ['packs', String(stats.packs)],
    ['expandedLayers', `${stats.expandedBlobs ?? 0}, ${bytesWithExact(stats.expandedLogicalBytes ?? 0)} as pushed`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join('');
}
