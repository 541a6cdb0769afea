import type { AnalysisReport, DedupFigures } from './report.ts';

const KiB = 1024;

/** Binary units, two decimals, as the CLI prints sizes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(2)} ${units[unit]}`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '-';
}

function ratio(whole: number, part: number): string {
  return part > 0 ? `${(whole / part).toFixed(2)}x` : '-';
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.map(escape).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function named(report: AnalysisReport): { name: string; figures: DedupFigures }[] {
  return [...report.images.map((image) => ({ name: image.name, figures: image as DedupFigures })), { name: '**total**', figures: report.total }];
}

/**
 * The report as Markdown: one table for layers and files, one per average
 * chunk size, one for what strata would store. Each has a row per image
 * and a total row (dedup across every image).
 */
export function reportMarkdown(report: AnalysisReport): string {
  const rows = named(report);
  const parts: string[] = [];
  parts.push('## Layers and files\n');
  parts.push(
    table(
      ['image', 'layers', 'distinct', 'compressed', 'uncompressed', 'distinct uncompressed', 'files', 'distinct files', 'file bytes', 'distinct file bytes'],
      rows.map(({ name, figures: f }) => [
        name,
        String(f.layers),
        String(f.distinctLayers),
        formatBytes(f.compressedBytes),
        formatBytes(f.uncompressedBytes),
        formatBytes(f.distinctUncompressedBytes),
        String(f.files.count),
        String(f.files.distinctCount),
        formatBytes(f.files.bytes),
        `${formatBytes(f.files.distinctBytes)} (${percent(f.files.distinctBytes, f.files.bytes)})`,
      ]),
    ),
  );
  for (const [i, chunking] of report.total.chunking.entries()) {
    parts.push(`\n## Chunks, ${chunking.avgSize / KiB} KiB average\n`);
    parts.push(
      table(
        ['image', 'as stored: distinct', 'as stored: zstd', 'expanded: distinct', 'expanded: zstd'],
        rows.map(({ name, figures }) => {
          const c = figures.chunking[i]!;
          return [
            name,
            `${formatBytes(c.asStored.distinctBytes)} of ${formatBytes(c.asStored.bytes)} (${percent(c.asStored.distinctBytes, c.asStored.bytes)})`,
            formatBytes(c.asStored.storedBytes),
            `${formatBytes(c.expanded.distinctBytes)} of ${formatBytes(c.expanded.bytes)} (${percent(c.expanded.distinctBytes, c.expanded.bytes)})`,
            formatBytes(c.expanded.storedBytes),
          ];
        }),
      ),
    );
  }
  parts.push(`\n## What strata would store (${report.total.strata.avgSize / KiB} KiB chunks, zstd)\n`);
  parts.push(
    table(
      ['image', 'compressed layers', 'strata stores', 'ratio', 'expanded layers', 'kept compressed', 'correction bytes'],
      rows.map(({ name, figures: f }) => [
        name,
        formatBytes(f.compressedBytes),
        formatBytes(f.strata.storedBytes),
        ratio(f.compressedBytes, f.strata.storedBytes),
        String(f.strata.expandedLayers),
        String(f.strata.compressedLayers),
        f.strata.correctionBytes === null ? 'not measured' : formatBytes(f.strata.correctionBytes),
      ]),
    ),
  );
  return parts.join('');
}
