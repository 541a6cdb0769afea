import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './measure.ts';

/** The repository's root, found from this file so runs work from any directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The `strata` command of this checkout, run with `process.execPath`. */
export const STRATA_CLI = join(REPO_ROOT, 'packages', 'cli', 'bin', 'strata.js');

/** Where results go unless `--out` says otherwise (JSON and Markdown there are not committed). */
export const DEFAULT_RESULTS_DIR = join(REPO_ROOT, 'benchmarks', 'results');

/** The machine a result was measured on: figures from different machines are not comparable. */
export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpus: number;
  totalMemoryBytes: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    os: `${platform()} ${release()}`,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    cpus: cores.length,
    totalMemoryBytes: totalmem(),
    node: process.version,
  };
}

/** strata's version and, in a git checkout, the commit measured. */
export async function strataVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const commit = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  );
  return commit ? `strata ${version} (${commit})` : `strata ${version}`;
}

/**
 * An ISO 8601 UTC timestamp with the colons replaced, so it can name a file
 * on every file system (`2025-01-31T09-15-02Z`).
 */
export function resultStamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
}

export type Cell = string | number | undefined;

/** A GitHub-flavoured Markdown table; numbers are right-aligned, missing cells are a dash. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const numeric = headers.map((_, column) => rows.some((row) => typeof row[column] === 'number'));
  const text = (cell: Cell): string => (cell === undefined ? '–' : String(cell));
  const lines = [
    `| ${headers.join(' | ')} |`,
    `| ${numeric.map((right) => (right ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${headers.map((_, column) => text(row[column])).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** A number rounded for a table cell: three significant digits, at most two decimals. */
export function round(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return Number(value.toFixed(digits));
}

export interface WrittenReport {
  json: string;
  markdown: string;
}

/** Writes `<suite>-<stamp>.json` and `<suite>-<stamp>.md` into `outDir`. */
export async function writeReport(
  outDir: string,
  suite: string,
  stamp: string,
  json: unknown,
  markdown: string,
): Promise<WrittenReport> {
  await mkdir(outDir, { recursive: true });
  const base = join(outDir, `${suite}-${stamp}`);
  const written = { json: `${base}.json`, markdown: `${base}.md` };
  await writeFile(written.json, `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(written.markdown, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return written;
}

/** The fields every suite's JSON report opens with. */
/** The Markdown lines that close every report: the tool versions measured. */
export function versionLines(versions: Record<string, string>): string[] {
  return ['Versions:', '', ...Object.entries(versions).map(([tool, version]) => `- ${tool}: ${version}`), ''];
}

export function reportHead(suite: string, facts: { startedAt: Date; finishedAt: Date; versions: Record<string, string> }) {
  return {
    suite,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    machine: machineInfo(),
    versions: facts.versions,
  };
}

/**
 * strata's figure next to its peer's from the same run: the shape every
 * suite's headline numbers share, which the combined report and the charts
 * read. `ratio` is strata over the peer; `better` says which way is good
 * (stored bytes and seconds: lower; MB/s: higher).
 */
export interface Comparison {
  suite: string;
  measurement: string;
  scenario: string;
  unit: 'bytes' | 'seconds' | 'MB/s' | 'requests/GB';
  better: 'lower' | 'higher';
  strata: number;
  peer: string;
  peerValue: number;
  ratio: number;
  /** A headline of the suite: quoted in the combined report. */
  headline?: boolean;
}

/** A comparison of two measured values, or undefined when either is missing or not a usable number. */
export function compare(
  fields: Omit<Comparison, 'strata' | 'peerValue' | 'ratio'>,
  strata: number | undefined,
  peerValue: number | undefined,
): Comparison | undefined {
  if (strata === undefined || peerValue === undefined || !(peerValue > 0) || !Number.isFinite(strata)) return undefined;
  return { ...fields, strata, peerValue, ratio: strata / peerValue };
}

function formatValue(value: number, unit: Comparison['unit']): string {
  if (unit === 'bytes') return `${round(value / MB_FOR_TABLES)} MB`;
  if (unit === 'seconds') return `${round(value)} s`;
  if (unit === 'requests/GB') return `${round(value)} requests/GB`;
  return `${round(value)} MB/s`;
}

const MB_FOR_TABLES = 1_000_000;

/** The comparisons as a table: what, strata, peer, ratio with the direction that is better. */
export function comparisonTable(comparisons: readonly Comparison[]): string {
  return markdownTable(
    ['measurement', 'scenario', 'strata', 'peer', 'peer value', 'strata / peer'],
    comparisons.map((comparison) => [
      comparison.measurement,
      comparison.scenario,
      formatValue(comparison.strata, comparison.unit),
      comparison.peer,
      formatValue(comparison.peerValue, comparison.unit),
      `${comparison.ratio.toFixed(2)}× (${comparison.better} is better)`,
    ]),
  );
}

/** Writes `<suite>-<stamp>-<name>.svg` files beside the JSON; returns their paths. */
export async function writeCharts(outDir: string, suite: string, stamp: string, charts: Record<string, string>): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const paths: string[] = [];
  for (const [name, svg] of Object.entries(charts)) {
    const path = join(outDir, `${suite}-${stamp}-${name}.svg`);
    await writeFile(path, svg);
    paths.push(path);
  }
  return paths;
}
