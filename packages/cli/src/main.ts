import { CommanderError } from 'commander';
import { errorCode, isCancelled } from '@strata/errors';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit-codes.ts';
import { buildProgram } from './program.ts';

/**
 * Runs the `strata` command line and resolves to the process exit code.
 * `argv` is `process.argv` as Node gives it (node, script, then arguments).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const interrupt = new AbortController();
  // The first Ctrl-C lets the running command abort its work and close the
  // store cleanly; a second one gives up on that.
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
    interrupt.abort(new StrataInterrupt('interrupted'));
  };
  // A reader that goes away (`strata cat ... | head`) is a normal way to stop.
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    interrupt.abort(error.code === 'EPIPE' ? new StrataInterrupt('broken pipe', true) : error);
  };
  process.on('SIGINT', onSigint);
  process.stdout.on('error', onStdoutError);
  try {
    await buildProgram({ signal: interrupt.signal }).parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error, interrupt.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.stdout.off('error', onStdoutError);
  }
}

/** Why the run was cut short from outside the command. */
class StrataInterrupt extends Error {
  readonly quiet: boolean;

  constructor(message: string, quiet = false) {
    super(message);
    this.quiet = quiet;
  }
}

function reportFailure(error: unknown, signal: AbortSignal): number {
  if (error instanceof CommanderError) {
    // Commander has already printed the help, the version or the usage error.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (isBrokenPipe(error) || (signal.reason instanceof StrataInterrupt && signal.reason.quiet)) return EXIT_OK;
  if (signal.aborted && signal.reason instanceof StrataInterrupt && isCancelled(error)) {
    process.stderr.write(`strata: ${signal.reason.message}\n`);
    return EXIT_INTERRUPTED;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`strata: ${message.split('\n')[0]}\n`);
  if (process.env.STRATA_DEBUG === '1' && error instanceof Error) {
    process.stderr.write(`${errorCode(error)}: ${error.stack ?? error.message}\n`);
  }
  return EXIT_FAILURE;
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EPIPE';
}
