import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { StrataError } from '@strata/errors';
import type { CliContext } from '../context.ts';

/**
 * The benchmarks are a project of the source checkout, not of the installed
 * command: they start peers (docker-registry, casync, restic, borg, buildah)
 * and build a corpus, and the cli may not depend on them. So `strata bench`
 * runs the checkout's benchmarks entry in a child process when the checkout
 * is there, and says how to get it otherwise.
 */
const BENCHMARKS_ENTRY = fileURLToPath(new URL('../../../../benchmarks/src/main.ts', import.meta.url));

export function registerBench(program: Command, context: CliContext): void {
  program
    .command('bench')
    .summary('run the benchmarks against real peers (source checkout only)')
    .description(
      'Run a benchmark suite of the strata source checkout: the same as `npm run bench -- ARGS` from its root ' +
        '(suites ingest, grpc, pull, dedup, delta, build, all; `strata bench --help` lists them and their options).',
    )
    .argument('[args...]', 'the suite and its options, passed on as they are')
    // Every option, --help included, belongs to the benchmarks' own command line.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (args: string[]) => runBenchmarks(args, context.signal));
}

async function runBenchmarks(args: readonly string[], signal: AbortSignal): Promise<void> {
  const present = await access(BENCHMARKS_ENTRY).then(
    () => true,
    () => false,
  );
  if (!present) {
    throw new StrataError(
      'FailedPrecondition',
      'strata bench runs the benchmarks of a strata source checkout (benchmarks/src/main.ts), and this installation has none: ' +
        'clone the repository and run `npm run bench -- SUITE` there',
    );
  }
  // The child is in our process group: a Ctrl-C reaches it directly and it cleans up its own temp dirs.
  const child = spawn(process.execPath, [BENCHMARKS_ENTRY, ...args], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, exitSignal) => resolve(exitCode ?? (exitSignal ? 128 : 1)));
  });
  if (signal.aborted) signal.throwIfAborted();
  if (code !== 0) throw new StrataError('Internal', `the benchmarks exited with code ${code}`, { details: { exitCode: code } });
}
