import type { Command } from 'commander';
import { StrataError } from '@strata/errors';
import type { CatchUpReport, ExpansionResult, GcReport } from '@strata/cas';
import type { CliContext } from '../context.ts';
import { expansionBounds, withExpansionBoundOptions, type ExpansionBoundOptions } from '../expansion-options.ts';
import { humanBytes } from '../format.ts';
import { startProgress } from '../progress.ts';
import { withDataOption, withIndexOption, withStore, type DataOptions } from '../store-access.ts';

interface ExpandCommandOptions extends DataOptions, ExpansionBoundOptions {
  metadata?: string;
  retry?: boolean;
  collect?: boolean;
  json?: boolean;
}

interface ExpandReport extends CatchUpReport {
  /** What became of each blob tried, in the order tried. */
  results: ExpansionResult[];
  /** Expansions that failed with an error; those blobs are unchanged. */
  failures: { digest: string; message: string }[];
  storedBytesBefore: number;
  storedBytesAfter: number;
  gc?: GcReport;
}

export function registerExpand(program: Command, context: CliContext): void {
  withExpansionBoundOptions(withIndexOption(withDataOption(
    program
      .command('expand')
      .summary('expand stored compressed layers now')
      .description(
        'Expand the gzip and zstd layers of a data directory that no expansion has tried yet (layers stored while expansion was off), or the blobs given by digest: each is kept expanded only if it rebuilds bit for bit. Layers an earlier try left compressed are skipped unless --retry. The replaced compressed chunks become garbage; --collect reclaims them at the end. No `strata serve` or `strata cas` may be using the directory (a server started with --expand-layers catches up by itself).',
      )
      .argument('[digest...]', 'expand these blobs (sha256:<hex>) instead of every untried layer'),
  ))
    .option('--retry', 'also try layers an earlier expansion left compressed')
    .option('--collect', 'collect garbage afterwards: sweep the replaced chunks and compact their packs')
    .option('--json', 'print the report as one JSON object')
    .action((digests: string[], options: ExpandCommandOptions) => expand(digests, options, context)));
}

async function expand(digests: string[], options: ExpandCommandOptions, context: CliContext): Promise<void> {
  const report = await withStore(
    options.data,
    'update',
    async (engine): Promise<ExpandReport> => {
      const storedBytesBefore = (await engine.stats()).storedBytes;
      const progress = startProgress('bytes', 'expand');
      const results: ExpansionResult[] = [];
      const failures: ExpandReport['failures'] = [];
      let caughtUp: CatchUpReport;
      try {
        caughtUp = await engine.expandPending({
          ...(digests.length > 0 ? { digests } : { retry: options.retry === true }),
          signal: context.signal,
          onProgress: ({ bytesDone, bytesTotal, result, failure }) => {
            progress.update(bytesDone, bytesTotal);
            if (failure) {
              failures.push(failure);
              if (!options.json) progress.print(`${failure.digest} failed: ${failure.message}`);
            }
            if (result === undefined) return;
            results.push(result);
            if (!options.json) progress.print(resultLine(result));
          },
        });
      } finally {
        progress.stop();
      }
      const gc = options.collect ? await engine.collectGarbage({ signal: context.signal }) : undefined;
      const storedBytesAfter = (await engine.stats()).storedBytes;
      return { ...caughtUp, results, failures, storedBytesBefore, storedBytesAfter, ...(gc ? { gc } : {}) };
    },
    options.metadata,
    expansionBounds(options),
  );
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : summary(report));
  if (report.failed > 0) {
    throw new StrataError('Internal', `${report.failed} of ${report.tried} expansions failed (those blobs are unchanged)`, { details: { failures: report.failures } });
  }
}

function resultLine(result: ExpansionResult): string {
  const what = result.outcome === 'expanded'
    ? `expanded ${result.codec} ${humanBytes(result.size)} -> ${humanBytes(result.plainSize ?? 0)} plaintext, ${result.newChunks ?? 0} of ${result.chunks ?? 0} chunks new, ${result.correctionBytes ?? 0} correction bytes`
    : `${result.outcome}: ${result.reason ?? ''}`;
  return `${result.digest} ${what}`;
}

function summary(report: ExpandReport): string {
  const lines = [
    `tried ${report.tried} blobs: ${report.expanded} expanded (${humanBytes(report.expandedBytes)}), ${report.plain} kept compressed, ${report.skipped} skipped, ${report.failed} failed`,
    `stored ${humanBytes(report.storedBytesBefore)} -> ${humanBytes(report.storedBytesAfter)}`,
  ];
  if (report.gc) lines.push(`collected: ${report.gc.chunksSwept} chunks swept, ${report.gc.packsCompacted} packs compacted, ${humanBytes(report.gc.bytesReclaimed)} reclaimed`);
  else if (report.expanded > 0) lines.push('the replaced compressed chunks are garbage now: run again with --collect, or `strata gc`, to reclaim them');
  return lines.map((line) => `${line}\n`).join('');
}
