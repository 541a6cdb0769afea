import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { sha256, strata, tempDir } from './support.ts';

interface Figures {
  layers: number;
  distinctLayers: number;
  compressedBytes: number;
  uncompressedBytes: number;
  files: { count: number; bytes: number; distinctCount: number; distinctBytes: number };
  chunking: { avgSize: number; asStored: { bytes: number; distinctBytes: number; storedBytes: number }; expanded: { bytes: number; distinctBytes: number; storedBytes: number } }[];
  strata: { avgSize: number; storedBytes: number; expandedLayers: number; compressedLayers: number; correctionBytes: number | null; dedupRatio: number };
}

interface Report {
  images: (Figures & { name: string; input: string })[];
  total: Figures;
  layers: { digest: string; codec: string; storedBytes: number; uncompressedBytes: number; tar: boolean; files: number; expanded: boolean; correctionBytes: number | null }[];
}

interface Layer {
  blob: Buffer;
  tar: Buffer;
  contents: Buffer[];
}

/** A layer made with GNU tar from `files` random files, compressed by the gzip or zstd command. */
async function makeLayer(dir: string, name: string, contents: Buffer[], compression: 'gzip' | 'zstd'): Promise<Layer> {
  const root = join(dir, `${name}-root`);
  await mkdir(join(root, 'data'), { recursive: true });
  for (const [i, content] of contents.entries()) await writeFile(join(root, 'data', `f${i}`), content);
  const tarPath = join(dir, `${name}.tar`);
  execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-C', root, '-cf', tarPath, '.']);
  const tar = await readFile(tarPath);
  const blob = compression === 'gzip' ? execFileSync('gzip', ['-n', '-c', tarPath], { maxBuffer: 1 << 30 }) : execFileSync('zstd', ['-q', '-c', tarPath], { maxBuffer: 1 << 30 });
  return { blob, tar, contents };
}

function manifestOf(layers: readonly Layer[]): { manifest: Buffer; config: Buffer } {
  const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: layers.map((layer) => sha256(layer.tar)) } }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer.blob), size: layer.blob.length })),
  }));
  return { manifest, config };
}

async function twoLayers(dir: string): Promise<[Layer, Layer]> {
  const shared = randomBytes(70_000);
  const base = await makeLayer(dir, 'base', [shared, randomBytes(150_000), randomBytes(10)], 'gzip');
  // The same content twice in one layer, and once more as in the base layer.
  const twin = randomBytes(30_000);
  const app = await makeLayer(dir, 'app', [twin, twin, shared], 'zstd');
  return [base, app];
}

function distinctFileCount(layers: readonly Layer[]): number {
  return new Set(layers.flatMap((layer) => layer.contents.map((content) => createHash('sha256').update(content).digest('hex')))).size;
}

async function analyzeJson(t: ExecutionContext, args: string[]): Promise<Report> {
  const result = await strata(['analyze', ...args, '--json']);
  t.is(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.toString('utf8')) as Report;
}

test('strata analyze an OCI layout built with GNU tar, gzip and zstd: exact layers, bytes and files; Markdown by default', async (t) => {
  const dir = await tempDir(t);
  const [base, app] = await twoLayers(dir);
  const layout = join(dir, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = (bytes: Buffer): Promise<void> => writeFile(join(layout, 'blobs', 'sha256', sha256(bytes).slice(7)), bytes);
  const { manifest, config } = manifestOf([base, app]);
  for (const blob of [base.blob, app.blob, manifest, config]) await put(blob);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  }));

  const report = await analyzeJson(t, [layout]);
  t.deepEqual(Object.keys(report).sort(), ['images', 'layers', 'total']);
  t.is(report.images.length, 1);
  t.is(report.images[0]!.name, `${layout}:v1`);
  const total = report.total;
  t.is(total.layers, 2);
  t.is(total.distinctLayers, 2);
  t.is(total.compressedBytes, base.blob.length + app.blob.length);
  t.is(total.uncompressedBytes, base.tar.length + app.tar.length);
  t.is(total.files.count, 6);
  t.is(total.files.distinctCount, distinctFileCount([base, app]));
  t.is(total.files.distinctCount, 4);
  t.deepEqual(total.chunking.map((chunking) => chunking.avgSize), [16384, 65536, 262144]);
  t.is(total.chunking[0]!.expanded.bytes, total.uncompressedBytes);
  // GNU gzip output rebuilds exactly from its tar plus a correction stream, so that layer is kept expanded and its corrections count.
  const gzipLayer = report.layers.find((layer) => layer.digest === sha256(base.blob))!;
  t.is(gzipLayer.codec, 'gzip');
  t.true(gzipLayer.expanded);
  t.true(typeof gzipLayer.correctionBytes === 'number' && gzipLayer.correctionBytes > 0 && gzipLayer.correctionBytes < base.blob.length / 10);
  t.is(total.strata.avgSize, 65536);
  t.true(total.strata.storedBytes > 0);
  t.deepEqual(report.layers.map((layer) => layer.codec), ['gzip', 'zstd']);

  const markdown = await strata(['analyze', layout]);
  t.is(markdown.code, 0, markdown.stderr);
  const text = markdown.stdout.toString('utf8');
  t.true(text.includes('## Layers and files'));
  t.true(text.includes('## What strata would store'));
  t.true(text.includes('| **total** | 2 | 2 |'));
});

test('strata analyze reads an image from strata serve over the distribution API', async (t) => {
  const dir = await tempDir(t);
  const [base, app] = await twoLayers(dir);
  const bin = fileURLToPath(new URL('../bin/strata.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve', '--data', join(dir, 'data'), '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (piece: Buffer) => {
      stderr += piece.toString();
      const match = /serving (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`strata serve exited: ${stderr}`)));
  });
  const { manifest, config } = manifestOf([base, app]);
  for (const blob of [base.blob, app.blob, config]) {
    const response = await fetch(`${url}/v2/team/app/blobs/uploads/?digest=${sha256(blob)}`, { method: 'POST', body: blob });
    t.is(response.status, 201);
  }
  const pushed = await fetch(`${url}/v2/team/app/manifests/v1`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  t.is(pushed.status, 201);

  const host = new URL(url).host;
  const report = await analyzeJson(t, [`${host}/team/app:v1`]);
  t.is(report.images[0]!.name, `${host}/team/app:v1`);
  t.is(report.total.layers, 2);
  t.is(report.total.compressedBytes, base.blob.length + app.blob.length);
  t.is(report.total.uncompressedBytes, base.tar.length + app.tar.length);
  t.is(report.total.files.distinctCount, 4);
  t.deepEqual(report.layers.map((layer) => layer.digest), [sha256(base.blob), sha256(app.blob)]);

  const missing = await strata(['analyze', `docker://${host}/team/app:nope`]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^strata: /);

  child.kill('SIGTERM');
});

test('strata analyze: exit code 2 for arguments that name nothing, 1 for inputs that fail', async (t) => {
  const dir = await tempDir(t);
  t.is((await strata(['analyze'])).code, 2);
  t.is((await strata(['analyze', join(dir, 'no-such-layout')])).code, 2);
  t.is((await strata(['analyze', 'x', '--tls-verify=maybe'])).code, 2);
  await writeFile(join(dir, 'notes.txt'), 'not an archive');
  const notArchive = await strata(['analyze', join(dir, 'notes.txt')]);
  t.is(notArchive.code, 1);
  t.true(notArchive.stderr.includes('notes.txt'));
  await mkdir(join(dir, 'blobs'));
  await writeFile(join(dir, 'blobs', 'broken.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), randomBytes(1000)]));
  t.is((await strata(['analyze', join(dir, 'blobs')])).code, 1);
});
