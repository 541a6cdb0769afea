/**
 * `npm run bench -- <suite> [options] [PATH...]`: runs one benchmark suite,
 * prints its results table and writes `<suite>-<timestamp>.json` and `.md`
 * into the results directory.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { errorCode } from '@strata/errors';
import { createProgress } from './progress.ts';
import { DEFAULT_RESULTS_DIR, resultStamp, writeReport } from './report.ts';
import { Scratch } from './scratch.ts';
import type { Suite } from './suite.ts';
import { grpcSuite } from './suites/grpc.ts';
import { ingestSuite } from './suites/ingest.ts';
import { pullSuite } from './suites/pull.ts';

/** Every suite, by the name it is run under. */
const SUITES: readonly Suite[] = [ingestSuite, grpcSuite, pullSuite];

const INTERRUPTED_EXIT_CODE = 130;

function program(): Command {
  const root = new Command('bench')
    .description('strata benchmarks against real peers on this machine')
    .showHelpAfterError();
  for (const suite of SUITES) {
    const command = root.command(suite.name).description(suite.description);
    suite.define(command);
    command
      .option('--out <dir>', 'directory for the JSON and Markdown results', DEFAULT_RESULTS_DIR)
      .action(async (...args: unknown[]) => {
        // commander passes the declared arguments, then the options, then the command.
        const options = args.at(-2) as Record<string, unknown>;
        const paths = args.slice(0, -2).flat() as string[];
        await runSuite(suite, paths, options);
      });
  }
  return root;
}

async function runSuite(suite: Suite, paths: string[], options: Record<string, unknown>): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    // A second Ctrl-C does not wait for the cleanup.
    if (interrupts > 1) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const scratch = new Scratch();
  const progress = createProgress();
  const startedAt = new Date();
  try {
    const report = await suite.run(paths, options, {
      signal: controller.signal,
      progress,
      scratch,
      warn: (message) => console.error(`warning: ${message}`),
    });
    const written = await writeReport(resolve(String(options.out)), suite.name, resultStamp(startedAt), report.json, report.markdown);
    console.log(report.summary);
    console.log(`\nWrote ${written.json}\n  and ${written.markdown}`);
  } catch (error) {
    progress.end();
    if (controller.signal.aborted) {
      process.exitCode = INTERRUPTED_EXIT_CODE;
    } else {
      const code = errorCode(error);
      console.error(`${suite.name} failed (${code}): ${(error as Error).message}`);
      // An unclassified failure is a bug somewhere: its stack is what a report needs.
      if (code === 'Internal' && error instanceof Error && error.stack) console.error(error.stack);
      process.exitCode = 1;
    }
  } finally {
    await scratch.cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted) console.error(`${suite.name}: interrupted; temporary files removed`);
}

await program().parseAsync(process.argv);
