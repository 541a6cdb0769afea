import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { assertComparisons, type QuickResult } from './quick-run.ts';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * `npm run bench -- scale --quick` into a fresh directory, like the other
 * suites' smoke tests; the directory may be entered by others, since a
 * PostgreSQL started as root runs as the postgres user inside it.
 */
async function runScaleQuick(t: ExecutionContext): Promise<QuickResult> {
  const root = await mkdtemp(join(tmpdir(), 'strata-bench-test-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await chmod(root, 0o711);
  const out = join(root, 'out');
  const childTmp = join(root, 'tmp');
  await mkdir(childTmp, { mode: 0o711 });
  await run(process.execPath, [MAIN, 'scale', '--quick', '--out', out], {
    env: { ...process.env, TMPDIR: childTmp },
    timeout: 10 * 60 * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  t.deepEqual(await readdir(childTmp), [], 'temp dirs removed');
  const files = await readdir(out);
  const jsonName = files.find((name) => /^scale-[^-].*Z\.json$/.test(name));
  if (!jsonName) throw new Error(`no scale JSON report among ${files.join(', ')}`);
  return { json: JSON.parse(await readFile(join(out, jsonName), 'utf8')) as QuickResult['json'], files };
}

interface Phase {
  seconds: number;
  bytes: number;
  megabytesPerSecond: number;
  s3?: { requests: number; byMethod: Record<string, number>; bytesUp: number; bytesDown: number };
  s3RequestsPerGB?: number;
}

interface ScaleFigure {
  deployment: string;
  tool: string;
  storage: string;
  gateways: number;
  available: boolean;
  reason?: string;
  push?: Phase;
  coldPull?: Phase;
  hotPull?: Phase;
  stored?: { bytes: number; objects?: number };
}

test('scale --quick pushes and pulls through strata and docker-registry on local disk and on S3 with 1 and 2 gateways, counting S3 requests', async (t) => {
  const result = await runScaleQuick(t);
  const figures = result.json['figures'] as ScaleFigure[];
  t.deepEqual(
    figures.map((figure) => figure.deployment),
    ['strata-local', 'distribution-local', 'strata-s3-1', 'distribution-s3-1', 'strata-s3-2', 'distribution-s3-2'],
  );
  const packsInS3 = (result.json['strataCas'] as { packs: string }).packs.startsWith('S3');
  for (const figure of figures) {
    t.true(figure.available, `${figure.deployment}: ${figure.reason ?? ''}`);
    for (const phase of [figure.push, figure.coldPull, figure.hotPull]) {
      t.true(phase!.seconds > 0 && phase!.bytes > 0 && phase!.megabytesPerSecond > 0, `${figure.deployment} phase figures`);
      if (figure.storage === 's3') t.true(Number.isFinite(phase!.s3RequestsPerGB), `${figure.deployment} S3 requests per GB`);
    }
    t.true(figure.stored!.bytes > 0, `${figure.deployment} stored bytes`);
    if (figure.tool === 'strata' && figure.storage === 's3' && packsInS3) {
      t.true(figure.push!.s3!.byMethod['PUT']! > 0 && figure.push!.s3!.bytesUp > 0, 'strata cas wrote packs to S3 through the counting proxy');
      t.true(figure.stored!.objects! > 0, 'packs in its bucket');
    }
    if (figure.tool === 'distribution' && figure.storage === 's3') {
      t.true(figure.push!.s3!.requests > 0 && figure.push!.s3!.bytesUp > 0, 'the registry wrote to S3 through the counting proxy');
      t.true(figure.coldPull!.s3!.bytesDown > 0, 'the registry read from S3 through the counting proxy');
      t.true(figure.stored!.objects! > 0, 'objects in its bucket');
    }
  }
  // Push and pull throughput and stored bytes of each of the three pairs at least.
  assertComparisons(t, result, 'scale', 3 * 4);
  for (const gateways of ['1 gateway', '2 gateways']) {
    t.true(
      result.json.comparisons.some((comparison) => comparison.scenario === `S3 (radosgw), ${gateways}` && comparison.measurement === 'push throughput'),
      `push over S3 with ${gateways} compared`,
    );
  }
  t.true(result.files.some((name) => name.endsWith('-throughput.svg')), 'throughput chart written');
  for (const tool of ['strata', 'distribution', 'skopeo', 'radosgw', 'postgresql']) {
    t.false(result.json.versions[tool]?.startsWith('unavailable') ?? true, `version of ${tool}`);
  }
});
