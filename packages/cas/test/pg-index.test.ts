import test from 'ava';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { isFailedPrecondition, isNotFound, isUnavailable } from '@strata/errors';
import { openStore, readBytes, withIndexSchema, writeBlob, type Engine, type EngineOptions } from '@strata/cas';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';
import { PgEngineIndex } from '../src/pg-index.ts';
import { parseIndexUrl } from '../src/pg-index-url.ts';
import { runEngineIndexSuite } from './engine-index-suite.ts';
import { readJournal, runUntilKilled } from './fixtures/write-delete-loop.ts';
import { pieces, seededBytes, sha256, tempDir } from './support.ts';

const KiB = 1024;
const MiB = 1024 * 1024;
const CRASH_WRITER = fileURLToPath(new URL('./fixtures/pg-crash-writer.ts', import.meta.url));


// One server for the file; every test uses a schema of its own.
let server: PostgresServer | undefined;

test.before(async () => {
  server = await sharedPostgres();
});

test.after.always(async () => {
  await server?.stop();
});

function indexUrl(schema = `t_${randomUUID().replaceAll('-', '')}`): string {
  if (!server) throw new Error('PostgreSQL did not start');
  return withIndexSchema(server.url, schema);
}

async function open(t: Parameters<typeof tempDir>[0], dir: string, options: EngineOptions): Promise<Engine> {
  const store = await openStore(dir, { compressThreads: 0, hotCacheBytes: 0, ...options });
  t.teardown(() => store.close());
  return store;
}

runEngineIndexSuite(test, 'PostgreSQL index', async () => {
  const index = await PgEngineIndex.open(parseIndexUrl(indexUrl()));
  return { index, cleanup: () => index.close() };
});

test('one engine owns an index: a second one is refused until the first closes', async (t) => {
  const url = indexUrl();
  const first = await PgEngineIndex.open(parseIndexUrl(url));
  const refused = await t.throwsAsync(PgEngineIndex.open(parseIndexUrl(url)));
  t.true(isFailedPrecondition(refused));
  await first.close();
  const second = await PgEngineIndex.open(parseIndexUrl(url));
  await second.close();
  t.pass();
});

test('a data directory and an index of different stores are never paired', async (t) => {
  const url = indexUrl();
  const dirA = await tempDir(t);
  const dirB = await tempDir(t);
  const a = await openStore(dirA, { index: url, compressThreads: 0 });
  await writeBlob(a, [seededBytes('a', 100 * KiB)]);
  await a.close();
  // Another data directory on the same index.
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dirB, { index: url, compressThreads: 0 }))));
  // The same directory without its index (LMDB), or with another, empty one.
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dirA, { compressThreads: 0 }))));
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dirA, { index: indexUrl(), compressThreads: 0 }))));
  // A store indexed in LMDB is not taken over by an empty PostgreSQL index.
  const lmdb = await openStore(dirB, { compressThreads: 0 });
  await writeBlob(lmdb, [seededBytes('b', 100 * KiB)]);
  await lmdb.close();
  t.true(isFailedPrecondition(await t.throwsAsync(openStore(dirB, { index: indexUrl(), compressThreads: 0 }))));
  // The right pair still opens.
  const again = await openStore(dirA, { index: url, compressThreads: 0 });
  t.is((await again.stats()).blobs, 1);
  await again.close();
});

test('an engine whose index connection is killed takes no more writes', async (t) => {
  const url = indexUrl();
  const dir = await tempDir(t);
  const store = await open(t, dir, { index: url });
  await writeBlob(store, [seededBytes('before', 50 * KiB)]);
  const admin = new pg.Client({ connectionString: server!.url });
  await admin.connect();
  t.teardown(() => admin.end());
  const { schema } = parseIndexUrl(url);
  const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`strata index owner ${schema}`]);
  t.is(killed.rowCount, 1);
  const error = await t.throwsAsync(writeBlob(store, [seededBytes('after', 50 * KiB)]));
  t.true(isUnavailable(error));
  // Ownership is free for another engine now (the first one's lock went with its session). The
  // refused write may still come back from the packs on open, as after a crash; the first one is whole.
  await store.close();
  const reopened = await open(t, dir, { index: url });
  t.deepEqual(await readBytes(reopened, sha256(seededBytes('before', 50 * KiB))), seededBytes('before', 50 * KiB));
  t.true((await reopened.fsck()).ok);
});

test('GC over the PostgreSQL index reclaims unique chunks of deleted blobs and keeps shared ones', async (t) => {
  const dir = await tempDir(t);
  const url = indexUrl();
  const store = await open(t, dir, { index: url, targetPackBytes: 256 * KiB });
  const shared = seededBytes('shared', 2 * MiB);
  const a = Buffer.concat([shared, seededBytes('a', 3 * MiB)]);
  const b = Buffer.concat([shared, seededBytes('b', 1 * MiB)]);
  await writeBlob(store, pieces(a));
  await writeBlob(store, pieces(b));
  await store.delete(sha256(a));
  const before = await store.stats();
  t.true(before.garbageChunks > 0);
  const report = await store.collectGarbage();
  t.is(report.chunksSwept, before.garbageChunks);
  t.true(report.packsDeleted > 0);
  const after = await store.stats();
  t.is(after.garbageChunks, 0);
  t.is(after.blobs, 1);
  t.deepEqual(await readBytes(store, sha256(b), 64 * MiB), b);
  t.true(isNotFound(await t.throwsAsync(store.stat(sha256(a)))));
  t.true((await store.fsck()).ok);
  const rebuilt = await store.rebuildIndex();
  t.is(rebuilt.blobs, 1);
  t.true((await store.fsck()).ok);
});

test('a writer killed with the PostgreSQL index loses nothing it committed; fsck is clean', async (t) => {
  const dir = await tempDir(t);
  const url = indexUrl();
  const promised = { committed: new Map<string, { seed: string; size: number }>(), deleting: new Set<string>(), deleted: new Set<string>() };
  const { committed, deleting, deleted } = promised;
  for (let round = 0; round < 2; round++) {
    readJournal(await runUntilKilled(CRASH_WRITER, [dir, `round${round}`, url], { kill: { afterLines: 25 } }), promised);
  }
  t.true(committed.size > 5);
  const store = await open(t, dir, { index: url });
  for (const [digest, { seed, size }] of committed) {
    if (deleted.has(digest)) {
      t.true(isNotFound(await t.throwsAsync(store.stat(digest))));
      continue;
    }
    if (deleting.has(digest) && (await store.findMissing([digest])).length > 0) continue;
    t.deepEqual(await readBytes(store, digest, 64 * MiB), seededBytes(seed, size), `${digest} reads back exact`);
  }
  const fsck = await store.fsck();
  t.deepEqual(fsck.damagedBlobs, []);
  t.true(fsck.ok);
});
