import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface Comparison {
  suite: string;
  measurement: string;
  scenario: string;
  unit: string;
  better: string;
  strata: number;
  peer: string;
  peerValue: number;
  ratio: number;
  headline?: boolean;
}

export interface QuickResult {
  json: Record<string, unknown> & { comparisons: Comparison[]; versions: Record<string, string> };
  files: string[];
}

/**
 * Runs `npm run bench -- SUITE --quick` into a fresh directory (temp files
 * of the run go to a directory of the test's own, which must be empty
 * afterwards) and returns the JSON report and the names of the files written.
 */
export async function runQuick(t: ExecutionContext, suite: string): Promise<QuickResult> {
  const root = await mkdtemp(join(tmpdir(), 'strata-bench-test-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const out = join(root, 'out');
  const childTmp = join(root, 'tmp');
  await mkdir(childTmp);
  await run(process.execPath, [MAIN, suite, '--quick', '--out', out], {
    env: { ...process.env, TMPDIR: childTmp },
    timeout: 10 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  t.deepEqual(await readdir(childTmp), [], 'temp dirs removed');
  const files = await readdir(out);
  const jsonName = files.find((name) => new RegExp(`^${suite}-[^-].*Z\\.json$`).test(name));
  if (!jsonName) throw new Error(`no ${suite} JSON report among ${files.join(', ')}`);
  const json = JSON.parse(await readFile(join(out, jsonName), 'utf8')) as QuickResult['json'];
  return { json, files };
}

/** Every comparison names its peer and has finite, positive figures; the page and the ratio chart were written. */
export function assertComparisons(t: ExecutionContext, result: QuickResult, suite: string, expected: number): void {
  const { comparisons } = result.json;
  t.true(comparisons.length >= expected, `${comparisons.length} comparisons, expected at least ${expected}`);
  for (const comparison of comparisons) {
    const what = `${comparison.measurement} (${comparison.scenario})`;
    t.is(comparison.suite, suite, what);
    t.truthy(comparison.peer, `${what} has a peer`);
    t.true(Number.isFinite(comparison.ratio) && comparison.ratio > 0, `${what} ratio ${comparison.ratio}`);
    t.true(comparison.strata > 0 && comparison.peerValue > 0, `${what} figures`);
  }
  t.true(comparisons.some((comparison) => comparison.headline), 'a headline');
  t.true(result.files.some((name) => name.startsWith(`${suite}-`) && name.endsWith('.md')), 'Markdown written');
  t.true(result.files.some((name) => name.startsWith(`${suite}-`) && name.endsWith('-ratios.svg')), 'ratio chart written');
}
