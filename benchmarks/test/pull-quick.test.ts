import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Figure {
  measurement: string;
  scenario: string;
  tool: string;
  kind: string;
  available: boolean;
  reason?: string;
  seconds?: number;
  megabytesPerSecond?: number;
  bytes?: number;
  latencyMs?: { p50: number; p99: number };
  vsPeer?: { peer: string; compared: string; ratio: number };
  goal?: { atMost: number; met: boolean };
  details?: { tried: number; expanded: number; plain: number; failed: number };
}

test('pull --quick measures strata and distribution on every row and compares them, and strata with its layers expanded against plain strata', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'strata-bench-test-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const out = join(root, 'out');
  const childTmp = join(root, 'tmp');
  await mkdir(childTmp);

  await run(process.execPath, [MAIN, 'pull', '--quick', '--out', out], {
    env: { ...process.env, TMPDIR: childTmp },
    timeout: 6 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });

  const written = await readdir(out);
  const jsonName = written.find((name) => /^pull-.+\.json$/.test(name));
  t.truthy(jsonName);
  t.true(written.includes(jsonName!.replace(/\.json$/, '.md')));
  const result = JSON.parse(await readFile(join(out, jsonName!), 'utf8')) as {
    versions: Record<string, string>;
    input: { image: { layers: unknown[]; totalBytes: number }; blob: { bytes: number } };
    figures: Figure[];
  };
  for (const tool of ['strata', 'distribution', 'skopeo', 'curl']) {
    t.truthy(result.versions[tool], `version of ${tool}`);
    t.false(result.versions[tool]!.startsWith('unavailable'), `version of ${tool}`);
  }
  t.true(result.input.image.layers.length > 1);
  t.true(result.input.image.totalBytes > 0 && result.input.blob.bytes > 0);

  const measurements = ['image push', 'image pull', 'blob PUT', 'blob GET'];
  for (const measurement of measurements) {
    t.true(
      result.figures.some((figure) => figure.measurement.startsWith(measurement)),
      `a figure for ${measurement}`,
    );
  }
  const strata = result.figures.filter((figure) => figure.tool === 'strata');
  const peer = result.figures.filter((figure) => figure.tool === 'distribution');
  t.is(strata.length, peer.length);
  t.true(strata.length >= 11);
  for (const figure of result.figures) {
    const what = `${figure.tool}: ${figure.measurement} (${figure.scenario})`;
    t.true(figure.available, `${what}: ${figure.reason ?? ''}`);
    t.true(figure.seconds! > 0 && figure.megabytesPerSecond! > 0 && figure.bytes! > 0, `${what} figures`);
    if (figure.latencyMs) t.true(figure.latencyMs.p50 > 0 && figure.latencyMs.p99 >= figure.latencyMs.p50, `${what} latency`);
  }
  for (const figure of strata) {
    t.is(figure.vsPeer?.peer, 'distribution', `${figure.measurement} (${figure.scenario}) compared`);
    t.true(figure.vsPeer!.ratio > 0);
    if (figure.measurement.startsWith('image pull')) t.is(typeof figure.goal?.met, 'boolean');
  }

  // The expanded run: every layer of the image expanded offline, then pulled cold and hot against plain strata.
  const expanded = result.figures.filter((figure) => figure.tool === 'strata, layers expanded');
  const expansion = expanded.find((figure) => figure.measurement.startsWith('layer expansion'));
  t.is(expansion?.details?.expanded, result.input.image.layers.length, 'every layer expanded');
  t.is(expansion?.details?.failed, 0);
  const pulls = expanded.filter((figure) => figure.measurement.startsWith('image pull'));
  t.is(pulls.length, 4);
  for (const figure of pulls) {
    t.is(figure.vsPeer?.peer, 'strata', `${figure.scenario} compared with plain strata`);
    if (figure.scenario.startsWith('hot')) t.is(figure.goal?.atMost, 1 / 0.9);
  }
  t.false(expanded.some((figure) => figure.measurement.startsWith('blob')), 'the expanded run pulls the image only');
  t.true(result.figures.some((figure) => figure.scenario.startsWith('cold')));
  t.true(result.figures.some((figure) => figure.latencyMs !== undefined));

  t.deepEqual(await readdir(childTmp), [], 'temp dirs removed');
});
