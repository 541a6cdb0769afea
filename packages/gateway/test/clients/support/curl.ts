import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.ts';

export interface CurlAnswer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

let calls = 0;

/** One request with the curl binary; the answer's status, headers (lower-case names) and body. */
export async function curl(dir: string, args: string[]): Promise<CurlAnswer> {
  const id = ++calls;
  const bodyFile = join(dir, `curl-${id}.body`);
  const headerFile = join(dir, `curl-${id}.headers`);
  const { stdout } = await run('curl', ['--silent', '--show-error', '--output', bodyFile, '--dump-header', headerFile, '--write-out', '%{http_code}', ...args], {
    timeoutMs: 60_000,
  });
  const headers = new Map<string, string>();
  for (const line of (await readFile(headerFile, 'utf8')).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const body = await readFile(bodyFile).catch(() => Buffer.alloc(0));
  return { status: Number(stdout), headers, body };
}
