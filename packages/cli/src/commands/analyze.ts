import { type Command, InvalidArgumentError } from 'commander';
import { type AnalysisReport, analyzeImages, engineExpansion, openInput, reportMarkdown } from '@strata/image-analysis';
import { isInvalidArgument } from '@strata/errors';
import type { CliContext } from '../context.ts';
import { startProgress } from '../progress.ts';

interface AnalyzeOptions {
  json?: boolean;
  tlsVerify: boolean;
  reconstruct: boolean;
}

function parseBoolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('Expected true or false.');
}

export function registerAnalyze(program: Command, context: CliContext): void {
  program
    .command('analyze')
    .summary('show how much images share and what strata would store')
    .description(
      'Read images and report, per image and in total: layers, compressed and uncompressed bytes, whole-layer dedup, ' +
        'file-level dedup, chunk-level dedup at 16/64/256 KiB averages without and with layer expansion, and what strata ' +
        'would store. Each input is an OCI image layout (directory with oci-layout), a docker-archive tar (docker save), ' +
        'a directory of layer blobs, or an image on a registry (docker://host/repo:tag or host/repo:tag).',
    )
    .argument('<input...>', 'OCI layouts, docker-archives, blob directories or image references')
    .option('--json', 'print the report as one JSON object')
    .option('--tls-verify <bool>', 'verify registry TLS certificates; false also allows plain http', parseBoolean, true)
    .option(
      '--no-reconstruct',
      'do not rebuild compressed layers to decide which stay expanded (faster; counts every layer as expanded, corrections not measured)',
    )
    .action(async (inputs: string[], options: AnalyzeOptions, command: Command) => {
      // Arguments that name nothing are usage errors, found before any layer is read.
      const opened = [];
      for (const input of inputs) {
        try {
          opened.push(await openInput(input, { tlsVerify: options.tlsVerify }));
        } catch (error) {
          if (isInvalidArgument(error)) command.error((error as Error).message, { exitCode: 2, code: 'strata.badInput' });
          throw error;
        }
      }
      const progress = startProgress('bytes', 'reading layers');
      let report: AnalysisReport;
      try {
        report = await analyzeImages(opened, {
          signal: context.signal,
          ...(options.reconstruct ? { expansion: engineExpansion() } : {}),
          onProgress: ({ bytesRead, expectedBytes }) => progress.update(bytesRead, Math.max(expectedBytes, bytesRead)),
        });
      } finally {
        progress.stop();
      }
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : reportMarkdown(report));
    });
}
