import test from 'ava';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDataLoss, isInvalidArgument, isNotFound } from '@strata/errors';
import { type AnalysisReport, analyzeImages, openInput, parseImageReference, reportMarkdown } from '@strata/image-analysis';
import { type Layer, distinctFiles, makeLayer, randomFiles, sha256, tempDir, writeDockerArchive, writeOciLayout } from './fixtures.ts';

interface Scenario {
  base: Layer;
  appV1: Layer;
  appV2: Layer;
}

/** Two images over one gzip base layer; their app layers differ by one file, one gzip and one zstd. */
async function scenario(): Promise<Scenario> {
  const base = await makeLayer(randomFiles('usr/lib', 40, 100_000), 'gzip');
  const appFiles = randomFiles('app', 60, 120_000);
  const appV1 = await makeLayer(appFiles, 'gzip');
  const changed = appFiles.map((file, i) => (i === 30 ? { ...file, content: Buffer.concat([file.content, Buffer.from('v2')]) } : file));
  const appV2 = await makeLayer(changed, 'zstd');
  return { base, appV1, appV2 };
}

async function analyze(paths: string[]): Promise<AnalysisReport> {
  return analyzeImages(await Promise.all(paths.map((path) => openInput(path))));
}

test('an OCI layout: layers, bytes, distinct files and chunk figures per image and in total', async (t) => {
  const dir = await tempDir(t);
  const { base, appV1, appV2 } = await scenario();
  await writeOciLayout(join(dir, 'layout'), [
    { tag: 'v1', layers: [base, appV1] },
    { tag: 'v2', layers: [base, appV2] },
  ]);
  const report = await analyze([join(dir, 'layout')]);

  t.deepEqual(report.images.map((image) => image.name), [`${join(dir, 'layout')}:v1`, `${join(dir, 'layout')}:v2`]);
  const [v1, v2] = report.images;
  t.is(v1!.layers, 2);
  t.is(v1!.compressedBytes, base.blob.length + appV1.blob.length);
  t.is(v2!.uncompressedBytes, base.tar.length + appV2.tar.length);
  t.is(v1!.files.count, 100);
  t.is(v1!.files.distinctCount, distinctFiles([base, appV1]).count);

  const total = report.total;
  t.is(total.layers, 4);
  t.is(total.distinctLayers, 3);
  t.is(total.compressedBytes, 2 * base.blob.length + appV1.blob.length + appV2.blob.length);
  t.is(total.distinctCompressedBytes, base.blob.length + appV1.blob.length + appV2.blob.length);
  t.is(total.distinctUncompressedBytes, base.tar.length + appV1.tar.length + appV2.tar.length);
  t.is(total.files.count, 160);
  t.is(total.files.distinctCount, distinctFiles([base, appV1, appV2]).count);
  t.is(total.files.distinctBytes, distinctFiles([base, appV1, appV2]).bytes);

  t.deepEqual(total.chunking.map((chunking) => chunking.avgSize), [16384, 65536, 262144]);
  for (const chunking of total.chunking) {
    // Chunks cover every byte of the distinct layers exactly once.
    t.is(chunking.asStored.bytes, total.distinctCompressedBytes);
    t.is(chunking.expanded.bytes, total.distinctUncompressedBytes);
    // gzip and zstd bytes of the same tar share nothing; their tars share all but one file.
    t.true(chunking.asStored.distinctBytes > 0.95 * total.distinctCompressedBytes);
    t.true(chunking.expanded.distinctBytes < base.tar.length + appV1.tar.length + 0.1 * appV2.tar.length);
  }
  t.is(total.strata.expandedLayers, 3);
  t.is(total.strata.correctionBytes, null);
  t.is(total.strata.storedBytes, total.chunking[1]!.expanded.storedBytes);
  t.deepEqual(report.layers.map((layer) => layer.codec), ['gzip', 'gzip', 'zstd']);
  t.deepEqual(report.layers.map((layer) => layer.digest), [sha256(base.blob), sha256(appV1.blob), sha256(appV2.blob)]);
  t.true(report.layers.every((layer) => layer.tar));

  const markdown = reportMarkdown(report);
  t.true(markdown.includes('| **total** | 4 | 3 |'));
});

test('an image index in a layout: every manifest below it is an image, named by platform', async (t) => {
  const dir = await tempDir(t);
  const { base, appV1, appV2 } = await scenario();
  await writeOciLayout(dir, [
    { tag: 'amd', layers: [base, appV1] },
    { tag: 'arm', layers: [base, appV2] },
  ], true);
  const report = await analyze([dir]);
  t.deepEqual(report.images.map((image) => image.name), [`${dir}:multi (linux/amd64)`, `${dir}:multi (linux/arm64)`]);
  t.is(report.total.distinctLayers, 3);
});

test('a docker-archive: uncompressed layer tars, files and dedup across its images', async (t) => {
  const dir = await tempDir(t);
  const { base, appV1, appV2 } = await scenario();
  const archive = join(dir, 'images.tar');
  await writeDockerArchive(archive, [
    { tag: 'app:v1', layers: [base, appV1] },
    { tag: 'app:v2', layers: [base, appV2] },
  ]);
  const report = await analyze([archive]);
  t.deepEqual(report.images.map((image) => image.name), [`${archive}:app:v1`, `${archive}:app:v2`]);
  t.is(report.total.layers, 4);
  t.is(report.total.distinctLayers, 3);
  t.is(report.total.compressedBytes, 2 * base.tar.length + appV1.tar.length + appV2.tar.length);
  t.is(report.total.uncompressedBytes, report.total.compressedBytes);
  t.is(report.total.files.distinctCount, distinctFiles([base, appV1, appV2]).count);
  t.deepEqual(report.layers.map((layer) => layer.codec), ['none', 'none', 'none']);
  t.deepEqual(report.layers.map((layer) => layer.digest), [sha256(base.tar), sha256(appV1.tar), sha256(appV2.tar)]);
});

test('a directory of blobs, one of them not a tar; layers across inputs count once', async (t) => {
  const dir = await tempDir(t);
  const { base, appV1, appV2 } = await scenario();
  const blobs = join(dir, 'blobs');
  await mkdir(join(blobs, 'nested'), { recursive: true });
  await writeFile(join(blobs, 'a.tar.gz'), base.blob);
  await writeFile(join(blobs, 'nested', 'b.tar.zst'), appV2.blob);
  await writeFile(join(blobs, 'c.bin'), Buffer.from('not a tar, just some bytes'));
  await writeOciLayout(join(dir, 'layout'), [{ tag: 'v1', layers: [base, appV1] }]);
  const report = await analyze([blobs, join(dir, 'layout')]);
  t.is(report.images[0]!.name, blobs);
  t.is(report.images[0]!.layers, 3);
  t.is(report.images[0]!.compressedBytes, base.blob.length + appV2.blob.length + 26);
  t.is(report.total.layers, 5);
  t.is(report.total.distinctLayers, 4);
  const notTar = report.layers.find((layer) => layer.storedBytes === 26)!;
  t.false(notTar.tar);
  t.is(notTar.files, 0);
});

test('bad input: unknown arguments, missing blobs, corrupt compressed layers, not an archive', async (t) => {
  const dir = await tempDir(t);
  t.true(isInvalidArgument(await t.throwsAsync(openInput(join(dir, 'missing')))));

  const { base, appV1 } = await scenario();
  await writeOciLayout(join(dir, 'layout'), [{ tag: 'v1', layers: [base, appV1] }]);
  await unlink(join(dir, 'layout', 'blobs', 'sha256', sha256(appV1.blob).slice(7)));
  const missing = await t.throwsAsync(analyze([join(dir, 'layout')]));
  t.true(isNotFound(missing));

  const corrupt = Buffer.from(base.blob);
  corrupt.fill(0x55, 100, 400);
  await mkdir(join(dir, 'corrupt'));
  await writeFile(join(dir, 'corrupt', 'layer.gz'), corrupt);
  t.true(isDataLoss(await t.throwsAsync(analyze([join(dir, 'corrupt')]))));

  await writeFile(join(dir, 'plain.txt'), 'hello');
  t.true(isInvalidArgument(await t.throwsAsync(analyze([join(dir, 'plain.txt')]))));
  await writeFile(join(dir, 'empty.tar'), Buffer.alloc(1024));
  t.true(isInvalidArgument(await t.throwsAsync(analyze([join(dir, 'empty.tar')]))));
});

test('image references: a registry host is required unless docker:// says so', (t) => {
  t.deepEqual(parseImageReference('localhost:5000/team/app:v1'), { host: 'localhost:5000', repository: 'team/app', reference: 'v1' });
  t.deepEqual(parseImageReference('registry.example.org/app'), { host: 'registry.example.org', repository: 'app', reference: 'latest' });
  t.deepEqual(parseImageReference('docker://alpine:3.20'), { host: 'docker.io', repository: 'library/alpine', reference: '3.20' });
  const digest = sha256(Buffer.from('x'));
  t.deepEqual(parseImageReference(`docker://127.0.0.1:5000/app@${digest}`), { host: '127.0.0.1:5000', repository: 'app', reference: digest });
  t.is(parseImageReference('alpine'), undefined);
  t.is(parseImageReference('some/relative/path'), undefined);
  t.is(parseImageReference('localhost:5000/UPPER:tag'), undefined);
  t.is(parseImageReference('docker://app@sha256:short'), undefined);
});
