import type { Command } from 'commander';
import type { StoreStats } from '@strata/cas';
import type { CliContext } from '../context.ts';
import { bytesWithExact } from '../format.ts';
import { withDataOption, withStore, type DataOptions } from '../store-access.ts';

interface StatsOptions extends DataOptions {
  json?: boolean;
}

export function registerStats(program: Command, _context: CliContext): void {
  withDataOption(
    program
      .command('stats')
      .summary('show space and dedup figures')
      .description('Show how many blobs and chunks the store holds, their logical, unique and stored bytes, and the dedup ratio.'),
  )
    .option('--json', 'print the figures as one JSON object')
    .action(async (options: StatsOptions) => {
      const stats = await withStore(options.data, 'read', (engine) => engine.stats());
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
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join('');
}
