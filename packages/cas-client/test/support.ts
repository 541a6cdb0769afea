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

/**
 * A TCP proxy on loopback between a client and a server: it counts the
 * bytes each way and can cut every connection at once, as a network would.
 */
export interface TcpProxy {
  address: string;
  /** Bytes from clients to the server, and back, since the proxy started (or `reset`). */
  readonly upBytes: number;
  readonly downBytes: number;
  reset(): void;
  /** Destroys every open connection; new ones are accepted as before. */
  cut(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let up = 0;
  let down = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (piece: Buffer) => {
      up += piece.byteLength;
    });
    upstream.on('data', (piece: Buffer) => {
      down += piece.byteLength;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    get upBytes() {
      return up;
    },
    get downBytes() {
      return down;
    },
    reset() {
      up = 0;
      down = 0;
    },
    cut() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Deterministic test content addressable by offset: 1 MiB blocks of one
 * random base, each stamped with its index so no two blocks are equal.
 */
export class BlockBytes {
  readonly #base: Buffer;

  constructor(base: Buffer) {
    this.#base = base;
  }

  block(index: number): Buffer {
    const block = Buffer.from(this.#base);
    for (let at = 0; at + 8 <= block.byteLength; at += 256 * KiB) block.writeDoubleLE(index, at);
    return block;
  }

  /** The bytes in [start, end), a block at a time. */
  *range(start: number, end: number): Generator<Buffer> {
    for (let index = Math.floor(start / MiB); index * MiB < end; index++) {
      const block = this.block(index);
      const from = Math.max(start - index * MiB, 0);
      const to = Math.min(end - index * MiB, MiB);
      yield block.subarray(from, to);
    }
  }
}
