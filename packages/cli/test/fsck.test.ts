import test, { type ExecutionContext } from 'ava';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lines, MiB, packFiles, sha256, strata, strataJson, tempDir, writeInput, type Stats } from './support.ts';

interface FsckJson {
  ok: boolean;
  chunksChecked: number;
  blobsChecked: number;
  damage: { kind: string; id: string; problem: string }[];
  damagedBlobs: string[];
  rebuild?: { packs: number; chunks: number; blobs: number; damagedChunks: string[]; lostBlobs: string[] };
}

async function storeWithTwoBlobs(t: ExecutionContext) {
  const dir = await tempDir(t);
  const data = join(dir, 'data');
  const big = await writeInput(dir, 'big', 2 * MiB);
  const tiny = await writeInput(dir, 'tiny', Buffer.from('tiny blob'));
  const ingest = await strata(['ingest', '--data', data, big.path, tiny.path]);
  t.is(ingest.code, 0, ingest.stderr);
  return { data, big: { ...big, digest: sha256(big.bytes) }, tiny: { ...tiny, digest: sha256(tiny.bytes) } };
}

/** Flips one byte in the middle of the (single) pack: inside a chunk payload of the big blob. */
async function corruptPack(t: ExecutionContext, data: string): Promise<void> {
  const packs = await packFiles(data);
  t.is(packs.length, 1);
  const bytes = await readFile(packs[0]!);
  const middle = Math.floor(bytes.byteLength / 2);
  t.true(middle > 16);
  bytes[middle] = bytes[middle]! ^ 0xff;
  await writeFile(packs[0]!, bytes);
}

test('fsck exits 0 on a clean store', async (t) => {
  const { data } = await storeWithTwoBlobs(t);
  const text = await strata(['fsck', '--data', data]);
  t.is(text.code, 0, text.stderr);
  t.is(text.stderr, '');
  const [report] = await strataJson<FsckJson>(t, ['fsck', '--data', data]);
  t.true(report!.ok);
  t.is(report!.blobsChecked, 2);
  t.true(report!.chunksChecked > 0);
  t.deepEqual(report!.damage, []);
});

test('fsck exits 1 and lists the blob whose chunk lost a byte', async (t) => {
  const { data, big, tiny } = await storeWithTwoBlobs(t);
  await corruptPack(t, data);

  const text = await strata(['fsck', '--data', data]);
  t.is(text.code, 1);
  t.true(lines(text).some((line) => line.includes(big.digest)));
  t.false(text.stdout.toString().includes(tiny.digest), 'the inline blob is not affected');

  const json = await strata(['fsck', '--data', data, '--json']);
  t.is(json.code, 1);
  const report = JSON.parse(json.stdout.toString()) as FsckJson;
  t.false(report.ok);
  t.deepEqual(report.damagedBlobs, [big.digest]);
  t.true(report.damage.some((damage) => damage.kind === 'chunk'));

  // A damaged blob is never served from the packs (the hot cache holds a
  // copy made when it was pushed; without it the read must fail).
  await rm(join(data, 'cas', 'cache'), { recursive: true, force: true });
  const cat = await strata(['cat', '--data', data, big.digest]);
  t.is(cat.code, 1);
  t.false(cat.stdout.equals(big.bytes));
});

test('fsck --rebuild-index restores the blobs of a store whose index was deleted', async (t) => {
  const { data, big, tiny } = await storeWithTwoBlobs(t);
  await rm(join(data, 'cas', 'index'), { recursive: true });

  const [report] = await strataJson<FsckJson>(t, ['fsck', '--data', data, '--rebuild-index']);
  t.true(report!.ok);
  t.is(report!.rebuild?.blobs, 2);
  t.deepEqual(report!.rebuild?.lostBlobs, []);

  for (const blob of [big, tiny]) {
    const cat = await strata(['cat', '--data', data, blob.digest]);
    t.is(cat.code, 0, cat.stderr);
    t.true(cat.stdout.equals(blob.bytes));
  }
  const [stats] = await strataJson<Stats>(t, ['stats', '--data', data]);
  t.is(stats!.blobs, 2);
  t.is(stats!.logicalBytes, big.bytes.byteLength + tiny.bytes.byteLength);
});

test('fsck --rebuild-index prints what it rebuilt before the check', async (t) => {
  const { data } = await storeWithTwoBlobs(t);
  await rm(join(data, 'cas', 'index'), { recursive: true });
  const result = await strata(['fsck', '--data', data, '--rebuild-index']);
  t.is(result.code, 0, result.stderr);
  t.is(lines(result).length, 2);
});
