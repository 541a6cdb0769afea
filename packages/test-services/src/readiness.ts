import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '@strata/errors';
import { isRunning, type OwnedProcess } from './owned-process.ts';

const TAIL_BYTES = 4096;
const TAIL_LINES = 25;

/** The last lines of a log file, or a note saying why there are none. */
export async function logTail(path: string, lines = TAIL_LINES): Promise<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    return `(no log at ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').trimEnd();
    return text.length === 0 ? '(log is empty)' : text.split('\n').slice(-lines).join('\n');
  } finally {
    await file.close();
  }
}

/** The tails of several logs, each under its path, for an error message. */
export async function logTails(paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(paths.map(async (path) => `--- ${path}\n${await logTail(path)}`));
  return parts.join('\n');
}

export interface WaitOptions {
  /** What is awaited, for the error: "PostgreSQL to accept connections". */
  what: string;
  timeoutMs: number;
  /** Daemons that must stay up meanwhile: waiting ends early, with their logs, when one exits. */
  processes: readonly OwnedProcess[];
  /** Logs whose tails go into the error. */
  logs: readonly string[];
  intervalMs?: number;
}

/**
 * Polls `ready` until it returns true. Fails with DeadlineExceeded when time
 * runs out, or Unavailable as soon as a watched daemon has exited; either way
 * the error carries the tails of the logs, which is where the reason is.
 */
export async function waitUntilReady(ready: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastProblem: unknown;
  for (;;) {
    const exited = options.processes.find((owned) => !isRunning(owned));
    if (exited !== undefined) {
      const tails = await logTails(options.logs);
      throw new StrataError('Unavailable', `${exited.name} (pid ${exited.pid}) exited while waiting for ${options.what}\n${tails}`, {
        details: { process: exited.name, pid: exited.pid, logs: options.logs, logTail: tails },
      });
    }
    try {
      if (await ready()) return;
      lastProblem = undefined;
    } catch (error) {
      lastProblem = error;
    }
    if (Date.now() >= deadline) {
      const tails = await logTails(options.logs);
      const last = lastProblem === undefined ? '' : ` (last attempt: ${lastProblem instanceof Error ? lastProblem.message : String(lastProblem)})`;
      throw new StrataError('DeadlineExceeded', `timed out after ${options.timeoutMs} ms waiting for ${options.what}${last}\n${tails}`, {
        details: { timeoutMs: options.timeoutMs, logs: options.logs, logTail: tails },
      });
    }
    await sleep(interval);
  }
}
