import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import type { Figure } from '../src/suites/ingest.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Incompressible but repeatable bytes: SHA-256 in counter mode over `seed`. */
function seededBytes(seed: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    blocks.push(createHash('sha256').update(`${seed}:${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}


test('ingest --quick over a few MiB measures strata, every peer and the ceilings', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'strata-bench-test-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const input = join(root, 'input');
  const out = join(root, 'out');
  const childTmp = join(root, 'tmp');
  await mkdir(join(input, 'nested'), { recursive: true });
  await mkdir(childTmp);
  const random = seededBytes('ingest-quick', 2 * 1024 * 1024);
  await writeFile(join(input, 'random.bin'), random);
  await writeFile(join(input, 'nested', 'random-copy.bin'), random);
  await writeFile(join(input, 'nested', 'text.txt'), 'strata stores layers once per chunk\n'.repeat(40_000));
  await writeFile(join(input, 'small.json'), '{"schemaVersion":2}\n');
  const totalBytes = 2 * random.byteLength + 36 * 40_000 + 20;

  await run(process.execPath, [MAIN, 'ingest', '--quick', '--out', out, input], {
    env: { ...process.env, TMPDIR: childTmp },
    timeout: 4 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });

  const written = await readdir(out);
  const jsonName = written.find((name) => /^ingest-.+\.json$/.test(name));
  t.truthy(jsonName);
  t.true(written.includes(jsonName!.replace(/\.json$/, '.md')));
  const result = JSON.parse(await readFile(join(out, jsonName!), 'utf8')) as {
    machine: { cpus: number; totalMemoryBytes: number; node: string };
    versions: Record<string, string>;
    input: { files: number; totalBytes: number };
    figures: Figure[];
  };
  t.is(result.input.files, 4);
  t.is(result.input.totalBytes, totalBytes);
  t.true(result.machine.cpus > 0 && result.machine.totalMemoryBytes > 0);
  for (const tool of ['strata', 'node', 'zstd-napi', 'casync', 'borg', 'restic']) {
    t.truthy(result.versions[tool], `version of ${tool}`);
    t.false(result.versions[tool]!.startsWith('unavailable'), `version of ${tool}`);
  }

  const figure = (tool: string, scenario: string): Figure => {
    const found = result.figures.find((candidate) => candidate.tool.startsWith(tool) && candidate.scenario === scenario);
    if (!found) throw new Error(`no figure for ${tool} (${scenario})`);
    return found;
  };
  const measured = [
    figure('strata', 'new data'),
    figure('strata', 'same data again'),
    figure('casync', 'new data'),
    figure('borg', 'new data'),
    figure('restic', 'new data'),
    figure('zstd', 'ceiling, 1 core'),
  ];
  for (const each of measured) {
    t.true(each.available, `${each.tool} (${each.scenario}): ${each.reason ?? ''}`);
    t.true(each.seconds! > 0 && each.megabytesPerSecond! > 0, `${each.tool} (${each.scenario}) speed`);
    t.true(each.storedBytes! > 0 && each.storedRatio! > 0, `${each.tool} (${each.scenario}) stored`);
  }
  const sha = figure('sha256', 'ceiling, 1 core');
  t.true(sha.available && sha.megabytesPerSecond! > 0);

  for (const strata of [figure('strata', 'new data'), figure('strata', 'same data again')]) {
    t.true(strata.vsFastestPeer!.ratio > 0);
    t.true(['casync', 'borg', 'restic'].includes(strata.vsFastestPeer!.peer));
    t.true(strata.vsSmallestPeer!.ratio > 0);
    t.true(['casync', 'borg', 'restic'].includes(strata.vsSmallestPeer!.peer));
  }
  // The CLI is its own package: either measured or reported unavailable with a reason.
  const cli = figure('strata', 'new data, CLI');
  if (cli.available) t.true(cli.megabytesPerSecond! > 0 && cli.storedBytes! > 0);
  else t.truthy(cli.reason);

  t.deepEqual(await readdir(childTmp), [], 'temp dirs removed');
});
