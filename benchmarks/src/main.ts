/**
 * `npm run bench -- <suite> [options] [PATH...]`: runs one benchmark suite,
 * prints its results table and writes `<suite>-<timestamp>.json`, `.md` and
 * SVG charts into the results directory. `all` runs every suite in turn and
 * writes one combined report besides each suite's own.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { errorCode } from '@strata/errors';
import { ratioChart } from './charts.ts';
import { createProgress } from './progress.ts';
import { comparisonTable, DEFAULT_RESULTS_DIR, machineInfo, resultStamp, strataVersion, writeCharts, writeReport, type Comparison } from './report.ts';
import { Scratch } from './scratch.ts';
import type { Suite, SuiteReport } from './suite.ts';
import { buildSuite } from './suites/build.ts';
import { dedupSuite } from './suites/dedup.ts';
import { deltaSuite } from './suites/delta.ts';
import { grpcSuite } from './suites/grpc.ts';
import { ingestSuite } from './suites/ingest.ts';
import { pullSuite } from './suites/pull.ts';
import { scaleSuite } from './suites/scale.ts';

/** Every suite, by the name it is run under, in the order `all` runs them. */
const SUITES: readonly Suite[] = [ingestSuite, grpcSuite, pullSuite, dedupSuite, deltaSuite, buildSuite];

/** Suites run on their own only: they start services of their own (Ceph, PostgreSQL) and are not part of `all`. */
const ALONE: readonly Suite[] = [scaleSuite];

const INTERRUPTED_EXIT_CODE = 130;

function program(): Command {
  const root = new Command('bench')
    .description('strata benchmarks against real peers on this machine')
    .showHelpAfterError();
  for (const suite of [...SUITES, ...ALONE]) {
    const command = root.command(suite.name).description(suite.description);
    suite.define(command);
    command
      .option('--out <dir>', 'directory for the JSON, Markdown and SVG results', DEFAULT_RESULTS_DIR)
      .action(async (...args: unknown[]) => {
        // commander passes the declared arguments, then the options, then the command.
        const options = args.at(-2) as Record<string, unknown>;
        const paths = args.slice(0, -2).flat() as string[];
        await withInterrupts(async (signal) => void (await runSuite(suite, paths, options, signal)));
      });
  }
  root
    .command('all')
    .description(`every suite in turn (${SUITES.map((suite) => suite.name).join(', ')}) and one combined report`)
    .option('--quick', 'each suite in its --quick form (a smoke test)')
    .option('--out <dir>', 'directory for the JSON, Markdown and SVG results', DEFAULT_RESULTS_DIR)
    .action((options: Record<string, unknown>) => withInterrupts((signal) => runAll(options, signal)));
  return root;
}

/** Runs `work` with a signal that Ctrl-C or SIGTERM aborts; a second Ctrl-C does not wait for the cleanup. */
async function withInterrupts(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted) {
    process.exitCode = INTERRUPTED_EXIT_CODE;
    console.error('interrupted; temporary files removed');
  }
}

/** One suite: its report and charts written, its table printed. Undefined (and exit code 1) when it failed. */
async function runSuite(suite: Suite, paths: string[], options: Record<string, unknown>, signal: AbortSignal): Promise<SuiteReport | undefined> {
  const scratch = new Scratch();
  const progress = createProgress();
  const startedAt = new Date();
  try {
    const report = await suite.run(paths, options, {
      signal,
      progress,
      scratch,
      warn: (message) => console.error(`warning: ${message}`),
    });
    const outDir = resolve(String(options.out));
    const stamp = resultStamp(startedAt);
    const charts = { ...report.charts };
    if (report.comparisons && report.comparisons.length > 0) charts.ratios = await ratioChart(`${suite.name}: strata / peer`, report.comparisons);
    const svgs = await writeCharts(outDir, suite.name, stamp, charts);
    const written = await writeReport(outDir, suite.name, stamp, report.json, withCharts(report.markdown, svgs));
    console.log(report.summary);
    console.log(`\nWrote ${written.json}\n  and ${written.markdown}${svgs.map((svg) => `\n  and ${svg}`).join('')}`);
    return report;
  } catch (error) {
    progress.end();
    if (!signal.aborted) {
      const code = errorCode(error);
      console.error(`${suite.name} failed (${code}): ${(error as Error).message}`);
      // An unclassified failure is a bug somewhere: its stack is what a report needs.
      if (code === 'Internal' && error instanceof Error && error.stack) console.error(error.stack);
      process.exitCode = 1;
    }
    return undefined;
  } finally {
    await scratch.cleanup();
  }
}

/** The Markdown page with its charts linked at the end (file names only: they sit beside it). */
function withCharts(markdown: string, svgs: readonly string[]): string {
  if (svgs.length === 0) return markdown;
  const names = svgs.map((svg) => svg.split('/').at(-1)!);
  return `${markdown.trimEnd()}\n\n${names.map((name) => `![${name}](${name})`).join('\n\n')}\n`;
}

/** The suite's options as its command line gives them when none is typed. */
function defaultOptions(suite: Suite): Record<string, unknown> {
  const command = new Command(suite.name);
  suite.define(command);
  return command.opts();
}

async function runAll(options: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  const startedAt = new Date();
  const outcomes: { suite: string; ok: boolean; comparisons: Comparison[] }[] = [];
  for (const suite of SUITES) {
    if (signal.aborted) break;
    console.log(`\n## ${suite.name}\n`);
    const report = await runSuite(suite, [], { ...defaultOptions(suite), out: options.out, ...(options.quick === true ? { quick: true } : {}) }, signal);
    outcomes.push({ suite: suite.name, ok: report !== undefined, comparisons: report?.comparisons ?? [] });
  }
  if (signal.aborted) return;
  const comparisons = outcomes.flatMap((outcome) => outcome.comparisons);
  const headlines = comparisons.filter((comparison) => comparison.headline);
  const outDir = resolve(String(options.out));
  const stamp = resultStamp(startedAt);
  const svgs = headlines.length > 0 ? await writeCharts(outDir, 'all', stamp, { headlines: await ratioChart('strata / peer, headline figures', headlines) }) : [];
  const json = {
    suite: 'all',
    quick: options.quick === true,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: { strata: await strataVersion(), node: process.version },
    suites: outcomes.map(({ suite, ok }) => ({ suite, ok })),
    headlines,
    comparisons,
  };
  const markdown = [
    `# all suites, ${startedAt.toISOString()}${options.quick === true ? ' (quick)' : ''}`,
    '',
    ...outcomes.map((outcome) => `- ${outcome.suite}: ${outcome.ok ? 'done' : 'failed'}`),
    '',
    '## Headlines',
    '',
    comparisonTable(headlines),
    '',
    '## Every comparison',
    '',
    comparisonTable(comparisons),
  ].join('\n');
  const written = await writeReport(outDir, 'all', stamp, json, withCharts(markdown, svgs));
  console.log(`\n## headlines\n\n${comparisonTable(headlines)}\n\nWrote ${written.json}\n  and ${written.markdown}`);
  if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
}

await program().parseAsync(process.argv);
