import type { Command } from 'commander';
import type { Comparison } from './report.ts';
import type { Progress } from './progress.ts';
import type { Scratch } from './scratch.ts';

/** What the entry point hands a suite for one run. */
export interface SuiteContext {
  /** Aborted on Ctrl-C or SIGTERM: stop and let the temp dirs be removed. */
  signal: AbortSignal;
  progress: Progress;
  scratch: Scratch;
  /** Diagnostics that are not results (a tool that could not run), on stderr. */
  warn(message: string): void;
}

/** What a suite measured: the JSON document and the Markdown page written beside it. */
export interface SuiteReport {
  json: Record<string, unknown>;
  markdown: string;
  /** Printed to stdout at the end of the run (the results table). */
  summary: string;
  /** strata next to its peers: drawn as a ratio chart, and what the combined report of `all` quotes. */
  comparisons?: Comparison[];
  /** More SVG charts by name (throughput, latency), written beside the report. */
  charts?: Record<string, string>;
}

/**
 * One benchmark suite: `npm run bench -- <name> [options] [PATH...]`.
 * `define` adds the suite's own options to its command; the entry point adds
 * the ones every suite has (`--out`).
 */
export interface Suite {
  readonly name: string;
  readonly description: string;
  define(command: Command): void;
  run(paths: string[], options: Record<string, unknown>, context: SuiteContext): Promise<SuiteReport>;
}
