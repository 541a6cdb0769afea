/**
 * `npm test`: everything that must hold before a change lands, counted as
 * test results.
 *
 *   1. typecheck: each project with TypeScript in it, one result per project;
 *   2. module boundaries: one result;
 *   3. every ava test file, one result per test, read from ava's TAP.
 *
 * The last line is `N passed, M failed`; the exit code is 1 when anything
 * failed. A step that crashes counts as failed, never as nothing.
 *
 * Usage: node tools/src/run-tests.ts [--only PATTERN]... [-- AVA_ARGS...]
 *   --only PATTERN  run only the test files whose path contains PATTERN or
 *                   matches it as a glob (repeatable), skipping typecheck
 *                   and the boundary check
 *   AVA_ARGS        passed to ava as they are (e.g. --match 'title*')
 */
import { spawn } from 'node:child_process';
import { glob, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, matchesGlob } from 'node:path';
import { parseArgs } from 'node:util';
import { startSharedServices } from '@strata/test-services';
import { checkBoundaries } from './boundary-rules.ts';
import { projectWork } from './nx-plugin.ts';
import { TapCounter } from './tap-summary.ts';
import { loadWorkspaceGraph, type WorkspaceGraph } from './workspace-graph.ts';

/** ava stops a test that makes no progress for 5 minutes; this bounds the whole run (about 18 minutes on 2 cores), well inside CI's limit. */
const AVA_RUN_LIMIT_MS = 35 * 60 * 1000;

class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;
  readonly failures: string[] = [];

  pass(): void {
    this.passed++;
  }

  fail(what: string): void {
    this.failed++;
    this.failures.push(what);
  }
}

const root = process.cwd();
const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env['PATH'] ?? ''].join(delimiter) };

async function main(argv: string[]): Promise<number> {
  const separator = argv.indexOf('--');
  const avaArgs = separator === -1 ? [] : argv.slice(separator + 1);
  const { values } = parseArgs({
    args: separator === -1 ? argv : argv.slice(0, separator),
    options: { only: { type: 'string', multiple: true } },
  });
  const only = values.only ?? [];
  const tally = new Tally();

  if (only.length === 0) {
    const graph = await step('workspace graph', () => loadWorkspaceGraph(), tally);
    if (graph !== undefined) {
      await typecheck(graph, tally);
      boundaries(graph, tally);
    }
  }
  await ava(only, avaArgs, tally);

  heading('summary');
  for (const failure of tally.failures) log(`failed: ${failure}`);
  if (tally.skipped > 0) log(`${tally.skipped} test(s) skipped or todo`);
  log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 ? 0 : 1;
}

async function typecheck(graph: WorkspaceGraph, tally: Tally): Promise<void> {
  heading('typecheck');
  for (const project of graph.projects) {
    if (!projectWork(join(root, project.root)).typecheck) {
      log(`- ${project.name}: nothing to typecheck yet`);
      continue;
    }
    const tsconfig = join(project.root, 'tsconfig.json');
    log(`- ${project.name}: tsc -p ${tsconfig} --noEmit`);
    const { code, signal } = await run('tsc', ['-p', tsconfig, '--noEmit']);
    if (code === 0) {
      tally.pass();
    } else {
      tally.fail(`typecheck ${project.name} (${signal ?? `exit ${code}`})`);
      log(`  typecheck ${project.name} failed`);
    }
  }
}

function boundaries(graph: WorkspaceGraph, tally: Tally): void {
  heading('module boundaries');
  for (const warning of graph.warnings) log(`warning: ${warning.file}${warning.line === undefined ? '' : `:${warning.line}`} ${warning.message}`);
  const violations = checkBoundaries(graph);
  for (const violation of violations) log(`boundary violation (${violation.kind}): ${violation.message}`);
  if (violations.length === 0) {
    log(`module boundaries hold: ${graph.projects.length} projects, ${graph.edges.length} dependency edges checked`);
    tally.pass();
  } else {
    tally.fail(`module boundaries (${violations.length} violation(s))`);
  }
}

async function ava(only: readonly string[], extraArgs: readonly string[], tally: Tally): Promise<void> {
  heading('ava');
  let files: string[] = [];
  if (only.length > 0) {
    files = (await testFiles()).filter((file) => only.some((pattern) => file.includes(pattern) || matchesGlob(file, pattern)));
    if (files.length === 0) {
      tally.fail(`no test file matches ${only.join(', ')}`);
      log(`no test file matches ${only.join(', ')}`);
      return;
    }
  }

  const services = only.length === 0 ? await sharedServices() : undefined;
  const counter = new TapCounter();
  const outcome = await run('ava', ['--tap', ...extraArgs, ...files], {
    limitMs: AVA_RUN_LIMIT_MS,
    onStdout: (chunk) => {
      process.stdout.write(chunk);
      counter.write(chunk);
    },
  }).finally(() => services?.stop());
  const summary = await counter.end({ exitCode: outcome.code, signal: outcome.signal });
  tally.passed += summary.passed;
  tally.skipped += summary.skipped;
  for (const failure of summary.failures) tally.failures.push(`ava: ${failure}`);
  // The failures list names failed runs as well as failed tests; the count is ava's own.
  tally.failed += summary.failed;
}

/**
 * One PostgreSQL and one Ceph for the whole run, named to the test files
 * through the environment (test-services' sharedPostgres/sharedCeph): Ceph
 * alone takes 10–20 s of both cores to start. Should they not start, each
 * test file starts its own, as when it runs alone.
 */
async function sharedServices(): Promise<{ stop(): Promise<void> } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-test-services-'));
  try {
    const started = Date.now();
    const services = await startSharedServices(join(dir, 'services.json'));
    Object.assign(env, services.env);
    log(`shared PostgreSQL and Ceph for the run started in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      stop: async () => {
        await services.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    log(`shared PostgreSQL and Ceph did not start (each test file starts its own): ${error instanceof Error ? error.message : String(error)}`);
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** The test files ava's configuration in package.json selects. */
async function testFiles(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { ava?: { files?: string[] } };
  const files: string[] = [];
  for await (const file of glob(manifest.ava?.files ?? [], { cwd: root, exclude: (name) => name === 'node_modules' })) {
    files.push(file.split('\\').join('/'));
  }
  return files.sort();
}

interface RunOptions {
  limitMs?: number;
  onStdout?: (chunk: Buffer) => void;
}

/** Runs a command from the workspace's node_modules/.bin with output shown. */
function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: ['ignore', options.onStdout ? 'pipe' : 'inherit', 'inherit'],
      // Its own process group, so that a run over its time limit is ended with everything it started.
      detached: options.limitMs !== undefined,
    });
    let timer: NodeJS.Timeout | undefined;
    if (options.limitMs !== undefined) {
      timer = setTimeout(() => {
        log(`${command} ran longer than ${options.limitMs! / 60_000} minutes; stopping it`);
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, options.limitMs);
    }
    if (options.onStdout) child.stdout!.on('data', options.onStdout);
    child.on('error', (error) => {
      clearTimeout(timer);
      log(`could not run ${command}: ${error.message}`);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function step<T>(name: string, action: () => Promise<T>, tally: Tally): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    tally.fail(name);
    return undefined;
  }
}

function heading(title: string): void {
  log(`\n=== ${title}`);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      log(`run-tests: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      log('0 passed, 1 failed');
      process.exitCode = 1;
    },
  );
}
