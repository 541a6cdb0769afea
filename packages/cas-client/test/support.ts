import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const KiB = 1024;
export const MiB = 1024 * KiB;

const STRATA_BIN = fileURLToPath(new URL('../../cli/bin/strata.js', import.meta.url));

export interface CasProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  address: string;
  /** Stops the server with SIGTERM and waits for it to exit; resolves to its exit code. */
  stop(): Promise<number | null>;
  stderr(): string;
}

/** Runs `strata cas --data DIR --listen 127.0.0.1:0 ...ARGS` and waits for its "listening on" line. */
export async function startCas(dataDir: string, args: readonly string[] = []): Promise<CasProcess> {
  const child = spawn(process.execPath, [STRATA_BIN, 'cas', '--data', dataDir, '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (piece: Buffer) => {
    stderr += piece.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`strata cas exited (${code}) before listening: ${stderr}`)));
  });
  return {
    child,
    pid: child.pid!,
    port,
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    stderr: () => stderr,
  };
}

/** A fresh temp dir, removed when the test ends. */
export async function tempDir(t: ExecutionContext, prefix = 'strata-cas-client-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The resident set size of a process, from /proc. */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
