import test from 'ava';
import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { openStore, parseBearerTokens, readBytes, serveContentStore, writeBlob, type ServeOptions } from '@strata/cas';
import { isInvalidArgument, isNotFound, isUnauthenticated, type StrataError } from '@strata/errors';
import { CAS_SERVICE_NAME } from '@strata/proto';
import { seededBytes } from '@strata/cas-testsuite';
import { connectContentStore, type ConnectOptions } from '../src/index.ts';
import { KiB, MiB, tempDir } from './support.ts';

async function served(t: Parameters<typeof tempDir>[0], options: Partial<ServeOptions> = {}) {
  const engine = await openStore(await tempDir(t), { compressThreads: 0, targetPackBytes: 256 * KiB, hotCacheBytes: 0 });
  const server = await serveContentStore(engine, { listen: '127.0.0.1:0', ...options });
  t.teardown(async () => {
    await server.shutdown(100);
    await engine.close();
  });
  const connect = (client: ConnectOptions = {}) => {
    const store = connectContentStore(`127.0.0.1:${server.port}`, { retry: { retries: 0 }, ...client });
    t.teardown(() => store.close());
    return store;
  };
  return { engine, server, connect };
}

async function failure(action: () => Promise<unknown>): Promise<StrataError> {
  try {
    await action();
  } catch (error) {
    return error as StrataError;
  }
  throw new Error('expected a failure');
}

const TOKENS = parseBearerTokens('# CI runners\nalpha-7f3c9e\n\n  beta-0b51d2  \n# retired: gamma\n');

test('token files hold one token a line, with comments and blank lines', (t) => {
  t.deepEqual(TOKENS, ['alpha-7f3c9e', 'beta-0b51d2']);
  t.true(isInvalidArgument(t.throws(() => parseBearerTokens('# nothing here\n\n'))));
  t.true(isInvalidArgument(t.throws(() => parseBearerTokens('two words\n'))));
});

test('a server with tokens refuses calls without the right one and serves those with it', async (t) => {
  const { connect, server } = await served(t, { authTokens: TOKENS });
  const data = seededBytes('auth', 300 * KiB);

  for (const client of [connect(), connect({ token: 'alpha-7f3c9' }), connect({ token: 'not-a-token' })]) {
    t.true(isUnauthenticated(await failure(() => client.stats())));
    t.true(isUnauthenticated(await failure(() => client.findMissing(['sha256:' + '0'.repeat(64)]))));
    t.true(isUnauthenticated(await failure(() => writeBlob(client, [data]))));
    t.true(isUnauthenticated(await failure(() => client.putChunks([{ data: data.subarray(0, 1000) }]))));
    t.true(isUnauthenticated(await failure(() => client.collectGarbage())));
  }

  const alpha = connect({ token: 'alpha-7f3c9e' });
  const beta = connect({ token: 'beta-0b51d2' });
  const { digest } = await writeBlob(alpha, [data]);
  t.deepEqual(await readBytes(beta, digest, MiB), data);
  t.true(isUnauthenticated(await failure(() => readBytes(connect(), digest, MiB))));

  // Health checks need no token: load balancers probe without one.
  const require = createRequire(import.meta.url);
  const healthProto = require.resolve('grpc-health-check/proto/health/v1/health.proto');
  const health = loadPackageDefinition(protoLoader.loadSync(healthProto, { enums: String })) as Record<string, any>;
  const healthClient = new health['grpc']['health']['v1']['Health'](`127.0.0.1:${server.port}`, credentials.createInsecure());
  t.teardown(() => healthClient.close());
  const answer = await new Promise<{ status: string }>((resolve, reject) =>
    healthClient.Check({ service: CAS_SERVICE_NAME }, (error: Error | null, response: { status: string }) => (error ? reject(error) : resolve(response))),
  );
  t.is(answer.status, 'SERVING');
});

test('tokens do not make plaintext acceptable off loopback', async (t) => {
  const engine = await openStore(await tempDir(t), { compressThreads: 0 });
  t.teardown(() => engine.close());
  t.true(isInvalidArgument(await failure(() => serveContentStore(engine, { listen: '0.0.0.0:0', authTokens: TOKENS }))));
  t.true(isInvalidArgument(await failure(() => serveContentStore(engine, { listen: '127.0.0.1:0', authTokens: [] }))));
});

test('garbage collection over gRPC reports what it reclaimed', async (t) => {
  const { connect, engine } = await served(t);
  const store = connect();
  const keep = seededBytes('gc-keep', 1 * MiB);
  const drop = seededBytes('gc-drop', 2 * MiB);
  const kept = await writeBlob(store, [keep]);
  const dropped = await writeBlob(store, [drop]);
  await store.delete(dropped.digest);
  const before = await store.stats();
  t.true(before.garbageChunks > 0);

  const dry = await store.collectGarbage({ dryRun: true });
  t.true(dry.dryRun);
  t.is(dry.chunksSwept, before.garbageChunks);
  t.is((await store.stats()).garbageChunks, before.garbageChunks);

  const report = await store.collectGarbage({ minLiveFraction: 0.9 });
  t.false(report.dryRun);
  t.is(report.chunksSwept, before.garbageChunks);
  t.true(report.packsDeleted > 0);
  t.true(report.bytesReclaimed > MiB);
  t.true(report.durationMs >= 0);
  const after = await store.stats();
  t.is(after.garbageChunks, 0);
  t.true(after.storedBytes < before.storedBytes);
  t.deepEqual(await readBytes(store, kept.digest, 4 * MiB), keep);
  t.true(isNotFound(await failure(() => store.stat(dropped.digest))));
  t.true(isInvalidArgument(await failure(() => store.collectGarbage({ minLiveFraction: 1.5 }))));
  t.true((await engine.fsck()).ok);
});
