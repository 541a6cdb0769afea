import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));

test('strata serve answers the registry API over DIR/cas and DIR/gateway, and exits 0 on SIGTERM', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'strata-serve-'));
  t.teardown(() => rm(data, { recursive: true, force: true }));
  const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (piece: Buffer) => {
      stderr += piece.toString();
      const match = /serving (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`strata serve exited: ${stderr}`)));
  });

  const base = await fetch(`${url}/v2/`);
  t.is(base.status, 200);
  t.is(base.headers.get('docker-distribution-api-version'), 'registry/2.0');
  const blob = Buffer.from('served by strata');
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  t.is((await fetch(`${url}/v2/demo/blobs/uploads/?digest=${digest}`, { method: 'POST', body: blob })).status, 201);
  t.is(await (await fetch(`${url}/v2/demo/blobs/${digest}`)).text(), 'served by strata');

  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.deepEqual((await readdir(data)).sort(), ['cas', 'gateway']);
});

test('strata serve rejects a malformed --listen with exit code 2', async (t) => {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', 'nowhere'], { stdio: 'ignore' });
  t.is(await new Promise<number | null>((resolve) => child.on('close', resolve)), 2);
});
