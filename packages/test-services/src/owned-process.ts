import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '@strata/errors';

/**
 * A daemon a service started: its PID, which is also its process group (it
 * is spawned as a session leader), and the kernel's start time for it, so a
 * PID the kernel has since handed to another process is never signalled.
 * Plain data: `stop` from another process (dev-services) needs only this.
 */
export interface OwnedProcess {
  name: string;
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot the process started at. */
  startTicks: number;
  /** The file its stdout and stderr go to. */
  log: string;
}

export interface SpawnOwnedOptions {
  name: string;
  command: string;
  args: readonly string[];
  log: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user (only root may switch). */
  uid?: number;
  gid?: number;
}

/**
 * Starts a daemon in its own session with output appended to `log`, so it
 * holds no pipe to this process and its whole group can be signalled as one.
 */
export function spawnOwned(options: SpawnOwnedOptions): Promise<OwnedProcess> {
  const out = openSync(options.log, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error) => {
        reject(
          new StrataError('FailedPrecondition', `cannot start ${options.name} (${options.command}): ${error.message}`, {
            cause: error,
            details: { command: options.command },
          }),
        );
      });
      child.once('spawn', () => {
        child.unref();
        const pid = child.pid!;
        resolve({ name: options.name, pid, startTicks: startTicks(pid) ?? 0, log: options.log });
      });
    });
  } finally {
    closeSync(out);
  }
}

function procStat(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is parenthesised and may hold spaces: split after it.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function startTicks(pid: number): number | undefined {
  const fields = procStat(pid);
  return fields === undefined ? undefined : Number(fields[19]);
}

/** True while the process runs and is still the one that was started (zombies count as gone). */
export function isRunning(owned: OwnedProcess): boolean {
  const fields = procStat(owned.pid);
  if (fields === undefined || fields[0] === 'Z' || fields[0] === 'X') return false;
  return owned.startTicks === 0 || Number(fields[19]) === owned.startTicks;
}

/** Resident memory of the process in bytes, or 0 once it is gone. */
export function residentBytes(owned: OwnedProcess): number {
  if (!isRunning(owned)) return 0;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${owned.pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function signalGroup(owned: OwnedProcess, signal: NodeJS.Signals): void {
  if (!isRunning(owned)) return;
  try {
    process.kill(-owned.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Waits up to `timeoutMs` for the process to end; true when it did. */
export async function waitForExit(owned: OwnedProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(owned)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Sends `signal` to the process group, waits `graceMs`, then kills the group.
 * Idempotent: a process already gone is left alone.
 */
export async function stopOwned(owned: OwnedProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  signalGroup(owned, signal);
  if (await waitForExit(owned, graceMs)) return;
  signalGroup(owned, 'SIGKILL');
  if (!(await waitForExit(owned, 5_000))) {
    throw new StrataError('Internal', `${owned.name} (pid ${owned.pid}) survived SIGKILL`, { details: { pid: owned.pid } });
  }
}

interface Leftover {
  processes: readonly OwnedProcess[];
  dir: string;
}

const leftovers = new Set<Leftover>();
let exitHookInstalled = false;

/**
 * Makes sure the service's daemons and directory go away with this process
 * even when a test crashes before its teardown runs: an orphaned PostgreSQL
 * or Ceph would hold ports and memory until someone noticed. Returns the
 * function that cancels this once the service stopped in the ordinary way.
 */
export function cleanUpAtExit(processes: readonly OwnedProcess[], dir: string): () => void {
  const leftover = { processes, dir };
  leftovers.add(leftover);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const { processes: owned, dir: path } of leftovers) {
        for (const one of owned) signalGroup(one, 'SIGKILL');
        try {
          rmSync(path, { recursive: true, force: true });
        } catch {
          // Exit hooks cannot report; a directory a daemon still writes to may refuse to go.
        }
      }
    });
  }
  return () => leftovers.delete(leftover);
}
