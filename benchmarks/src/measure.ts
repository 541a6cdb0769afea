import { spawn } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '@strata/errors';

/** Bytes in a megabyte as the reports count them (SI, like `MB/s` in most storage papers). */
export const MB = 1_000_000;

/** Wall-clock seconds taken by `work`, and what it returned. */
export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, value };
}

export function megabytesPerSecond(bytes: number, seconds: number): number {
  return seconds > 0 ? bytes / MB / seconds : 0;
}

export interface DiskUsage {
  /** Sum of file sizes: what the tool wrote. */
  apparentBytes: number;
  /** Blocks the file system allocated for them (counts block rounding and sparse holes). */
  allocatedBytes: number;
  /**
   * Per file the smaller of the two: the bytes written, not counting holes
   * of sparse files (an LMDB map) nor block rounding. The figure reports use.
   */
  storedBytes: number;
  files: number;
}

/** Disk usage of files and directory trees, like `du --apparent-size` and `du` together. */
export async function diskUsage(paths: readonly string[]): Promise<DiskUsage> {
  const usage: DiskUsage = { apparentBytes: 0, allocatedBytes: 0, storedBytes: 0, files: 0 };
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else if (info.isFile()) {
      usage.apparentBytes += info.size;
      usage.allocatedBytes += info.blocks * 512;
      usage.storedBytes += Math.min(info.size, info.blocks * 512);
      usage.files++;
    }
  };
  for (const path of paths) await visit(path);
  return usage;
}

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Written to the command's standard input, which is closed afterwards. */
  input?: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion, keeping its output. A non-zero exit is an
 * Internal error carrying the tail of stderr; an aborted signal kills the
 * command and is Cancelled.
 */
export function runCommand(command: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      signal: options.signal,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => stdout.push(piece));
    child.stderr.on('data', (piece: Buffer) => stderr.push(piece));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.once('error', (error) => {
      const code = options.signal?.aborted ? 'Cancelled' : 'Unavailable';
      reject(new StrataError(code, `${command}: ${error.message}`, { cause: error, details: { command } }));
    });
    child.once('close', (exitCode, signal) => {
      const result = { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
      if (exitCode === 0) {
        resolve(result);
        return;
      }
      const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
      reject(
        new StrataError(
          options.signal?.aborted ? 'Cancelled' : 'Internal',
          `${command} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${exitCode}`}): ${tail}`,
          { details: { command, exitCode, signal, stderr: tail } },
        ),
      );
    });
  });
}

/** The first line of a command's output, for version strings. */
export async function firstLine(command: string, args: readonly string[]): Promise<string> {
  const { stdout, stderr } = await runCommand(command, args);
  return (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
}
