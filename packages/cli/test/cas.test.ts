import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestPki } from '@strata/cas-testsuite';
import { lines, strata, tempDir, writeInput } from './support.ts';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));

/** `strata cas` on a free loopback port with its data in DIR/data, killed at the end of the test if still running. */
async function startCas(t: ExecutionContext, dir: string, extra: string[] = []): Promise<{ server: ChildProcess; address: string }> {
  const server = spawn(process.execPath, [BIN, 'cas', '--data', join(dir, 'data'), '--listen', '127.0.0.1:0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });
  const address = await new Promise<string>((resolve) => {
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const match = /^listening on (127\.0\.0\.1:\d+)$/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return { server, address };
}

test('strata cas serves a store that ingest, cat, stats and fsck reach with --cas, and stops on SIGTERM', async (t) => {
  const dir = await tempDir(t);
  const { server, address } = await startCas(t, dir);
  const exited = once(server, 'exit');

  const input = await writeInput(dir, 'input', 300 * 1024);
  const ingested = await strata(['ingest', '--cas', address, input.path]);
  t.is(ingested.code, 0, ingested.stderr);
  const [digest] = lines(ingested)[0]!.split(' ');
  const cat = await strata(['cat', '--cas', address, digest!]);
  t.is(cat.code, 0, cat.stderr);
  t.true(cat.stdout.equals(input.bytes));
  const stats = await strata(['stats', '--cas', address, '--json']);
  t.is(JSON.parse(lines(stats)[0]!).blobs, 1);
  t.is((await strata(['fsck', '--cas', address])).code, 0);

  const both = await strata(['stats', '--cas', address, '--data', dir]);
  t.is(both.code, 2);

  server.kill('SIGTERM');
  const [code] = await exited;
  t.is(code, 0);
});

test('--cas-ca speaks TLS to a strata cas that presents a certificate; plaintext to it fails', async (t) => {
  const dir = await tempDir(t);
  const pki = await createTestPki(dir);
  const { address } = await startCas(t, dir, ['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey]);
  const input = await writeInput(dir, 'input', 40_000);
  const ingested = await strata(['ingest', '--cas', address, '--cas-ca', pki.ca, input.path]);
  t.is(ingested.code, 0, ingested.stderr);
  const stats = await strata(['stats', '--cas', address, '--cas-ca', pki.ca, '--json']);
  t.is(JSON.parse(lines(stats)[0]!).blobs, 1);
  t.is((await strata(['stats', '--cas', address])).code, 1);
  t.is((await strata(['stats', '--cas', address, '--cas-cert', pki.clientCert])).code, 2);
});

test('strata cas --auth-token-file refuses clients without a listed token; --cas-token-file and STRATA_CAS_TOKEN send one', async (t) => {
  const dir = await tempDir(t);
  const tokens = await writeInput(dir, 'tokens', Buffer.from('# builders\nbuild-farm-4d1f0a\nregistry-9c2e77\n'));
  const { address } = await startCas(t, dir, ['--auth-token-file', tokens.path]);
  const mine = await writeInput(dir, 'mine', Buffer.from('registry-9c2e77\n'));
  const wrong = await writeInput(dir, 'wrong', Buffer.from('registry-9c2e78\n'));
  const input = await writeInput(dir, 'input', 40_000);

  const refused = await strata(['ingest', '--cas', address, input.path]);
  t.is(refused.code, 1);
  t.is((await strata(['stats', '--cas', address, '--cas-token-file', wrong.path])).code, 1);
  t.is((await strata(['stats', '--cas', address], { STRATA_CAS_TOKEN: 'nope' })).code, 1);

  const ingested = await strata(['ingest', '--cas', address, '--cas-token-file', mine.path, input.path]);
  t.is(ingested.code, 0, ingested.stderr);
  const stats = await strata(['stats', '--cas', address, '--json'], { STRATA_CAS_TOKEN: 'build-farm-4d1f0a' });
  t.is(stats.code, 0, stats.stderr);
  t.is(JSON.parse(lines(stats)[0]!).blobs, 1);
});

test('strata cas with tokens still refuses plaintext off loopback without --insecure', async (t) => {
  const dir = await tempDir(t);
  const tokens = await writeInput(dir, 'tokens', Buffer.from('token-1\n'));
  const result = await strata(['cas', '--data', join(dir, 'data'), '--listen', '0.0.0.0:0', '--auth-token-file', tokens.path]);
  t.not(result.code, 0);
  const empty = await writeInput(dir, 'empty', Buffer.from('# none\n'));
  t.not((await strata(['cas', '--data', join(dir, 'data'), '--auth-token-file', empty.path])).code, 0);
});
