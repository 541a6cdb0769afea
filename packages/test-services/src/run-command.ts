import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { StrataError } from '@strata/errors';

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * Runs a short command to completion and returns its stdout. A failure is
 * Unavailable (the service said no) or DeadlineExceeded, with the command's
 * stderr in the message: that is all a test author gets to see in CI.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const timeout = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        env: options.env ?? process.env,
        cwd: options.cwd,
        ...(options.uid === undefined ? {} : { uid: options.uid }),
        ...(options.gid === undefined ? {} : { gid: options.gid }),
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const shown = [command, ...args].join(' ');
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new StrataError('FailedPrecondition', `${command} is not installed (run tools/setup)`, { cause: error, details: { command } }));
        } else if (error.killed) {
          reject(new StrataError('DeadlineExceeded', `${shown} did not finish within ${timeout} ms\n${stderr}`, { cause: error, details: { command } }));
        } else {
          reject(new StrataError('Unavailable', `${shown} failed (exit ${String(error.code)})\n${stderr.trim() || stdout.trim()}`, { cause: error, details: { command, exitCode: error.code } }));
        }
      },
    );
  });
}

/**
 * The path of a program (a bare name is looked up on PATH), or
 * FailedPrecondition naming the Debian package that provides it.
 */
export async function requireExecutable(program: string, debianPackage: string): Promise<string> {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: try the next.
    }
  }
  throw new StrataError('FailedPrecondition', `${program} not found: install the Debian package ${debianPackage} (tools/setup does)`, {
    details: { program, debianPackage },
  });
}
