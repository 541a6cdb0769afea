/**
 * Single blobs in and out of a registry over the OCI Distribution API:
 * upload with curl, download with curl (its own speed figure) and with many
 * fetches in flight at once.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { StrataError } from '@strata/errors';
import { runCommand } from './measure.ts';

const WRITE_PIECE_BYTES = 4 * 1024 * 1024;

/**
 * `bytes` of incompressible, repeatable data in `path` (AES-256-CTR keystream
 * of a fixed key): like a compressed layer, nothing a store can shrink.
 * Returns its digest.
 */
export async function writeIncompressibleFile(path: string, bytes: number, seed: string, signal: AbortSignal): Promise<string> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(WRITE_PIECE_BYTES);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  try {
    for (let written = 0; written < bytes; written += WRITE_PIECE_BYTES) {
      signal.throwIfAborted();
      const piece = cipher.update(zeros.subarray(0, Math.min(WRITE_PIECE_BYTES, bytes - written)));
      hash.update(piece);
      if (!out.write(piece)) await once(out, 'drain', { signal });
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** curl's own figures for one transfer. */
export interface CurlTransfer {
  seconds: number;
  /** Bytes (10^6) per second as curl measured them. */
  megabytesPerSecond: number;
  bytes: number;
}

function parseCurlFigures(stdout: string): CurlTransfer {
  const [speed, seconds, bytes] = stdout.trim().split(/\s+/).map(Number);
  if (!(speed! > 0 && seconds! > 0 && bytes! > 0)) throw new StrataError('Internal', `unexpected curl figures: ${stdout}`);
  return { megabytesPerSecond: speed! / 1e6, seconds: seconds!, bytes: bytes! };
}

/**
 * Uploads `file` as blob `digest` of `repository` in one PUT (after the POST
 * that opens the session), as clients push a layer they hold whole.
 */
export async function pushBlob(url: string, repository: string, file: string, digest: string, signal: AbortSignal): Promise<CurlTransfer> {
  const started = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST', signal });
  await started.arrayBuffer();
  const location = started.headers.get('location');
  if (started.status !== 202 || !location) throw new StrataError('Internal', `POST of an upload answered ${started.status}`);
  const target = new URL(location, url);
  target.searchParams.set('digest', digest);
  const { stdout } = await runCommand(
    'curl',
    ['-sS', '--fail', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', file, '-o', '/dev/null', '-w', '%{speed_upload} %{time_total} %{size_upload}', target.href],
    { signal },
  );
  return parseCurlFigures(stdout);
}

/** `curl -o /dev/null` of one blob: the download speed curl reports. */
export async function curlBlob(url: string, repository: string, digest: string, signal: AbortSignal): Promise<CurlTransfer> {
  const { stdout } = await runCommand(
    'curl',
    ['-sS', '--fail', '-L', '-o', '/dev/null', '-w', '%{speed_download} %{time_total} %{size_download}', `${url}/v2/${repository}/blobs/${digest}`],
    { signal },
  );
  return parseCurlFigures(stdout);
}

export interface ConcurrentGets {
  concurrency: number;
  requests: number;
  seconds: number;
  /** All bytes received (10^6) over the wall time. */
  megabytesPerSecond: number;
  /** Request start to last byte, per request. */
  latenciesMs: number[];
}

/**
 * `requests` GETs of one blob with `concurrency` of them in flight at any
 * time, each body read to its end; every body must be `size` bytes.
 */
export async function concurrentGets(
  url: string,
  repository: string,
  digest: string,
  size: number,
  concurrency: number,
  requests: number,
  signal: AbortSignal,
): Promise<ConcurrentGets> {
  const blobUrl = `${url}/v2/${repository}/blobs/${digest}`;
  const latenciesMs: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      next++;
      const start = process.hrtime.bigint();
      const response = await fetch(blobUrl, { signal });
      if (response.status !== 200 || !response.body) throw new StrataError('Internal', `GET of a blob answered ${response.status}`);
      let received = 0;
      for await (const piece of response.body) received += piece.byteLength;
      if (received !== size) throw new StrataError('DataLoss', `GET of a blob returned ${received} bytes, expected ${size}`);
      latenciesMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { concurrency, requests, seconds, megabytesPerSecond: (requests * size) / 1e6 / seconds, latenciesMs };
}

/** The `fraction` quantile (nearest rank) of `values`. */
export function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
