import { spawn, type ChildProcess } from 'node:child_process';
import { constants, createWriteStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { ExecutionContext } from 'ava';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they arrived: what a user at a terminal reads. */
  output: string;
}

/** The error of a client command: its exit, and everything it printed, so a failing test says why. */
export class CommandFailed extends Error {
  readonly result: RunResult;
  constructor(command: string, how: string, result: RunResult) {
    super(`${command} ${how}\n--- output ---\n${result.output.slice(-8000)}`);
    this.result = result;
  }
}

/** Runs a command to completion; rejects with its output when it exits non-zero or runs past the timeout. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: [stdin, 'pipe', 'pipe'], detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const output: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => (stdout.push(chunk), output.push(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => (stderr.push(chunk), output.push(chunk)));
    if (child.stdin) {
      // A command may exit without reading its input; that is its answer, not an error of ours.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
    const result = (): RunResult => ({
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
      output: Buffer.concat(output).toString('utf8'),
    });
    let timedOut = false;
    // The command runs in a process group of its own, so a timeout ends its helpers too.
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 180_000);
    const line = [command, ...args].join(' ');
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailed(line, `could not start: ${error.message}`, result()));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(result());
      else reject(new CommandFailed(line, timedOut ? 'timed out' : `exited with ${code ?? signal}`, result()));
    });
  });
}

/** The path of an executable on PATH, or undefined. */
export async function which(name: string, path = process.env['PATH'] ?? ''): Promise<string | undefined> {
  for (const candidate of whichAll(name, path)) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Every `name` on PATH, in PATH order (some tools come in several versions). */
export async function whichEvery(name: string, path = process.env['PATH'] ?? ''): Promise<string[]> {
  const found: string[] = [];
  for (const candidate of whichAll(name, path)) {
    if (!found.includes(candidate) && (await isExecutable(candidate))) found.push(candidate);
  }
  return found;
}

function whichAll(name: string, path: string): string[] {
  return path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Fails the test (never skips it) when a client tool is missing: the suite
 * exists to prove these clients work, and CI installs them
 * (tools/debian-packages.txt).
 */
export async function requireTools(t: ExecutionContext, ...names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) if ((await which(name)) === undefined) missing.push(name);
  if (missing.length > 0) {
    throw new Error(`missing on PATH: ${missing.join(', ')} (install them with tools/setup)`);
  }
  t.log(`tools: ${names.join(', ')}`);
}

/**
 * Daemons still running in this test worker. Teardowns stop them; this is
 * for the worker that dies before its teardowns run (an uncaught exception),
 * so that no registry or Docker daemon outlives the test run.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Daemon {
  pid: number;
  logFile: string;
  /** The daemon's log so far, for failure messages. */
  log(): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running process in its own process group with its output in
 * `logFile`; the test's teardown stops it by its PID.
 */
export async function startDaemon(
  t: ExecutionContext,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string },
): Promise<Daemon> {
  const log = createWriteStream(options.logFile);
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', log, log], detached: true });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid as number;
  let stopping: Promise<void> | undefined;
  const daemon: Daemon = {
    pid,
    logFile: options.logFile,
    log: () => readFile(options.logFile, 'utf8').catch(() => ''),
    stop(graceMs = 15_000) {
      stopping ??= stopProcess(child, exited, graceMs).finally(() => log.close());
      return stopping;
    },
  };
  t.teardown(() => daemon.stop());
  return daemon;
}

async function stopProcess(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls `ready` until it resolves true, or fails with `describe()` after `timeoutMs`. */
export async function waitFor(ready: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms\n${await describe()}`);
}

/**
 * Waits until the daemon's log matches `pattern` and resolves to its first
 * capture (an address it printed once listening); fails with the log after
 * `timeoutMs`.
 */
export async function waitForLog(daemon: Daemon, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  let found: string | undefined;
  await waitFor(
    async () => {
      found = pattern.exec(await daemon.log())?.[1];
      return found !== undefined;
    },
    timeoutMs,
    daemon.log,
  );
  return found as string;
}
