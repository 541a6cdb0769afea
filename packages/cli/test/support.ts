import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const MiB = 1024 * 1024;

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the real `strata` command in a child process, as a user would (with `extraEnv` added to its environment). */
export function strata(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env = { ...process.env, ...extraEnv };
  delete env.STRATA_DEBUG;
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (piece: Buffer) => stdout.push(piece));
  child.stderr.on('data', (piece: Buffer) => stderr.push(piece));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }),
    );
  });
}

/** Runs `strata ... --json` (expecting success) and parses each stdout line. */
export async function strataJson<T>(t: ExecutionContext, args: readonly string[]): Promise<T[]> {
  const result = await strata([...args, '--json']);
  t.is(result.code, 0, result.stderr);
  return lines(result).map((line) => JSON.parse(line) as T);
}

export function lines(result: CliResult): string[] {
  return result.stdout.toString('utf8').split('\n').filter((line) => line.length > 0);
}

/** A fresh temp dir, removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `bytes` (random ones of `size` when a number) to `dir/name`. */
export async function writeInput(dir: string, name: string, bytes: Buffer | number): Promise<{ path: string; bytes: Buffer }> {
  const content = typeof bytes === 'number' ? randomBytes(bytes) : bytes;
  const path = join(dir, name);
  await writeFile(path, content);
  return { path, bytes: content };
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Pack files of the engine in a data directory. */
export async function packFiles(dataDir: string): Promise<string[]> {
  const packs = join(dataDir, 'cas', 'packs');
  return (await readdir(packs)).filter((name) => name.endsWith('.pack')).map((name) => join(packs, name));
}

export interface Stats {
  blobs: number;
  chunks: number;
  logicalBytes: number;
  uniqueBytes: number;
  storedBytes: number;
  dedupRatio: number;
  garbageBytes: number;
  packs: number;
}

export interface IngestLine {
  digest: string;
  size: number;
  file: string;
  created: boolean;
}

/** A `strata serve` a test started: its URL, what it wrote to stderr so far, and a stop (SIGTERM) that resolves to its exit code. */
export interface ServeProcess {
  url: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `strata serve ARGS --listen 127.0.0.1:0` and learns its URL from the line it prints; the test's teardown kills it if still running. */
export async function serve(t: ExecutionContext, args: readonly string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (piece: Buffer) => {
      stderr += piece.toString();
      const match = /serving (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`strata serve exited: ${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Pushes `bytes` as a blob of `repository` in one POST; resolves to its digest. */
export async function pushBlob(url: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const response = await fetch(`${url}/v2/${repository}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
  if (response.status !== 201) throw new Error(`push answered ${response.status}`);
  return digest;
}
