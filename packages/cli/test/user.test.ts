import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { AccessPolicy, loadAuthFile } from '@strata/gateway';
import { tempDir } from './support.ts';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));

/** Runs `strata ARGS` with `input` piped to stdin. */
function strataWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (piece: Buffer) => (stdout += piece.toString()));
  child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('strata user add, list and remove edit the auth file; only a hash of the first piped line is stored', async (t) => {
  const file = join(await tempDir(t), 'auth.yaml');
  const added = await strataWithInput(['user', 'add', '--auth', file, 'alice'], 'first line secret\nsecond line\n');
  t.is(added.code, 0, added.stderr);
  t.is((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, 'utf8');
  t.false(text.includes('first line secret'));
  t.regex(text, /\$argon2id\$/);
  t.true(await new AccessPolicy(await loadAuthFile(file)).authenticate('alice', 'first line secret'));

  t.is((await strataWithInput(['user', 'add', '--auth', file, 'bob'], 'bob password here\r\n')).code, 0);
  t.true(await new AccessPolicy(await loadAuthFile(file)).authenticate('bob', 'bob password here'), 'a CRLF line end is not part of the password');
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'alice'], 'another password\n')).code, 1, 'an existing user needs --replace');
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'alice', '--replace'], 'another password\n')).code, 0);
  t.true(await new AccessPolicy(await loadAuthFile(file)).authenticate('alice', 'another password'));

  const listed = await strataWithInput(['user', 'list', '--auth', file], '');
  t.is(listed.stdout, 'alice\nbob\n');
  t.is((await strataWithInput(['user', 'remove', '--auth', file, 'alice'], '')).code, 0);
  t.is((await strataWithInput(['user', 'remove', '--auth', file, 'alice'], '')).code, 1);
  t.is((await strataWithInput(['user', 'list', '--auth', file], '')).stdout, 'bob\n');
});

test('strata user add refuses an empty or short password, a bad name, and a missing --auth', async (t) => {
  const file = join(await tempDir(t), 'auth.yaml');
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'alice'], '')).code, 1);
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'alice'], '\n')).code, 1);
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'alice'], 'short\n')).code, 1);
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'anonymous'], 'long enough password\n')).code, 1);
  t.is((await strataWithInput(['user', 'add', '--auth', file, 'al:ice'], 'long enough password\n')).code, 1);
  t.is((await strataWithInput(['user', 'add', 'alice'], 'long enough password\n')).code, 2);
  await t.throwsAsync(stat(file), undefined, 'nothing was written');
});
