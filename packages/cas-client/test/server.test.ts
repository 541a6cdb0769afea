import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { openStore, serveContentStore, type ServeOptions } from '@strata/cas';
import { isDigestMismatch, isFailedPrecondition, isInvalidArgument, isNotFound, isResourceExhausted, isUnavailable, type StrataError } from '@strata/errors';
import { CAS_SERVICE_NAME, ERROR_CODE_KEY, generateTypes, GENERATED_DIR, loadCasPackageDefinition } from '@strata/proto';
import type { ExecutionContext } from 'ava';
import { createTestPki } from '@strata/cas-testsuite';
import { connectContentStore, type ConnectOptions } from '../src/index.ts';
import { KiB, MiB, tempDir } from './support.ts';

/** An engine in a temp dir served on loopback, torn down with the test. */
async function served(t: ExecutionContext, options: Partial<ServeOptions> = {}, client: ConnectOptions = {}) {
  const dir = await tempDir(t);
  const engine = await openStore(dir, { compressThreads: 0 });
  const server = await serveContentStore(engine, { listen: '127.0.0.1:0', ...options });
  const store = connectContentStore(`${options.tls ? 'localhost' : '127.0.0.1'}:${server.port}`, { retry: { retries: 0 }, ...client });
  t.teardown(async () => {
    await store.close();
    await server.shutdown(100);
    await engine.close();
  });
  return { engine, server, store };
}

/** A raw client of the service, for requests cas-client would never send. */
function rawClient(port: number): Record<string, (...args: unknown[]) => unknown> & { close(): void } {
  const loaded = loadPackageDefinition(loadCasPackageDefinition()) as Record<string, any>;
  const Service = loaded['strata']['cas']['v1']['ContentStore'];
  return new Service(`127.0.0.1:${port}`, credentials.createInsecure());
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function failure(action: () => Promise<unknown>): Promise<StrataError> {
  try {
    await action();
  } catch (error) {
    return error as StrataError;
  }
  throw new Error('expected a failure');
}

test('bad input gets its status code and leaves the store consistent', async (t) => {
  const { engine, server, store } = await served(t, { maxMessageBytes: 256 * KiB });
  const bytes = Buffer.alloc(100 * KiB, 3);

  // Malformed and unknown names.
  t.true(isInvalidArgument(await failure(() => store.stat('sha256:not-hex'))));
  t.true(isNotFound(await failure(() => store.stat(digestOf(Buffer.from('absent'))))));
  t.true(isNotFound(await failure(() => store.status('no-such-ref'))));

  // A wrong digest at commit stores nothing.
  const wrong = await store.writer('wrong-digest');
  await wrong.write(bytes);
  t.true(isDigestMismatch(await failure(() => wrong.commit({ digest: digestOf(Buffer.from('other')) }))));
  t.deepEqual(await engine.findMissing([digestOf(bytes)]), [digestOf(bytes)]);

  // A message over the server's limit is RESOURCE_EXHAUSTED; the write stays resumable at what was accepted.
  const big = await store.writer('oversized');
  await big.write(Buffer.alloc(MiB, 1)).catch(() => {});
  t.true(isResourceExhausted(await failure(() => big.commit())));
  t.is((await store.status('oversized')).offset, 0);
  await store.abortIngest('oversized');

  // A recipe naming a chunk the store lacks.
  const missingChunk = createHash('sha256').update('never stored').digest('hex');
  const recipeFailure = await failure(() =>
    store.commitRecipe({ digest: digestOf(Buffer.from('never stored')), size: 12 }, [{ digest: missingChunk, length: 12 }]),
  );
  t.true(isFailedPrecondition(recipeFailure));
  t.deepEqual(recipeFailure.details['missing'], [missingChunk]);

  // A chunk whose bytes do not match its digest.
  t.true(isDigestMismatch(await failure(() => store.putChunks([{ digest: missingChunk, data: Buffer.from('something else') }]))));
  t.deepEqual(await store.findMissingChunks([missingChunk]), [missingChunk]);

  // On the wire: a write at the wrong offset ends the stream with OUT_OF_RANGE and keeps the transaction.
  const raw = rawClient(server.port);
  t.teardown(() => raw.close());
  const call = raw['Write']!() as import('@grpc/grpc-js').ClientDuplexStream<object, object>;
  const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
  call.on('data', () => {});
  call.write({ action: 'STAT', ref: 'raw-write' });
  call.write({ action: 'WRITE', offset: 0, data: Buffer.alloc(10) });
  call.write({ action: 'WRITE', offset: 5, data: Buffer.alloc(10) });
  const outOfRange = await ended;
  t.is(outOfRange.code, Status.OUT_OF_RANGE);
  t.is((await store.status('raw-write')).offset, 10);

  // DigestMismatch travels as FAILED_PRECONDITION with the exact code in a trailer.
  const stat = await new Promise<ServiceError>((resolve) =>
    raw['CommitRecipe']!({ digest: digestOf(Buffer.alloc(1)), size: 1, chunks: [] }, new Metadata(), (error: ServiceError) => resolve(error)),
  );
  t.is(stat.code, Status.FAILED_PRECONDITION);
  t.truthy(stat.metadata.get(ERROR_CODE_KEY)[0]);

  // After all that the store is whole.
  t.true((await store.fsck()).ok);
  t.is((await store.writer('after')).offset, 0);
});

test('plaintext is refused on an address other hosts can reach unless allowed', async (t) => {
  const dir = await tempDir(t);
  const engine = await openStore(dir, { compressThreads: 0 });
  t.teardown(() => engine.close());
  const refused = await failure(() => serveContentStore(engine, { listen: '0.0.0.0:0' }));
  t.true(isInvalidArgument(refused));
});

test('health checking and reflection answer', async (t) => {
  const { server } = await served(t);
  const require = createRequire(import.meta.url);
  const healthProto = require.resolve('grpc-health-check/proto/health/v1/health.proto');
  const health = loadPackageDefinition(protoLoader.loadSync(healthProto, { enums: String })) as Record<string, any>;
  const healthClient = new health['grpc']['health']['v1']['Health'](`127.0.0.1:${server.port}`, credentials.createInsecure());
  t.teardown(() => healthClient.close());
  const answer = await new Promise<{ status: string }>((resolve, reject) =>
    healthClient.Check({ service: CAS_SERVICE_NAME }, (error: Error | null, response: { status: string }) => (error ? reject(error) : resolve(response))),
  );
  t.is(answer.status, 'SERVING');

  const reflectionRoot = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto');
  const reflection = loadPackageDefinition(
    protoLoader.loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [reflectionRoot] }),
  ) as Record<string, any>;
  const reflectionClient = new reflection['grpc']['reflection']['v1']['ServerReflection'](`127.0.0.1:${server.port}`, credentials.createInsecure());
  t.teardown(() => reflectionClient.close());
  const stream = reflectionClient.ServerReflectionInfo();
  const listed = new Promise<{ listServicesResponse: { service: { name: string }[] } }>((resolve, reject) => {
    stream.on('data', resolve);
    stream.on('error', reject);
  });
  stream.write({ listServices: '' });
  const services = (await listed).listServicesResponse.service.map((service) => service.name);
  stream.end();
  t.true(services.includes(CAS_SERVICE_NAME), services.join(', '));
});

test('TLS, and mTLS that refuses a client without a certificate', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'strata-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await createTestPki(dir);
  const file = (name: string): Promise<Buffer> => readFile(join(dir, name));
  const tls = { cert: await file('server.pem'), key: await file('server.key') };
  const ca = await file('ca.pem');

  const plain = await served(t, { tls }, { tls: { ca } });
  const digest = (await plain.store.findMissing([digestOf(Buffer.from('x'))]))[0];
  t.is(digest, digestOf(Buffer.from('x')));

  const mutual = await served(t, { tls: { ...tls, clientCa: ca } }, { tls: { ca, cert: await file('client.pem'), key: await file('client.key') } });
  t.deepEqual(await mutual.store.findMissing([]), []);
  const anonymous = connectContentStore(`localhost:${mutual.server.port}`, { tls: { ca }, retry: { retries: 0 }, deadlineMs: 5000 });
  t.teardown(() => anonymous.close());
  t.true(isUnavailable(await failure(() => anonymous.findMissing([]))));
});

test('the checked-in generated types match a fresh generation', async (t) => {
  const dir = await tempDir(t, 'strata-proto-gen-');
  generateTypes(dir);
  const { readdir } = await import('node:fs/promises');
  const list = async (root: string): Promise<string[]> =>
    (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(root.length)).sort();
  const fresh = await list(dir);
  t.deepEqual(fresh, await list(GENERATED_DIR), 'same files');
  for (const name of fresh) {
    t.is(await readFile(join(dir, name), 'utf8'), await readFile(join(GENERATED_DIR, name), 'utf8'), `${name} is up to date (npm run generate -w @strata/proto)`);
  }
});

test('ReadChunks sends raw bytes to a client that does not take zstd frames, and frames to one that does', async (t) => {
  const { server, store } = await served(t, {});
  const text = Buffer.from('a layer of text compresses well. '.repeat(3000));
  const [digest] = await store.putChunks([{ data: text }]);
  const raw = rawClient(server.port);
  t.teardown(() => raw.close());
  const read = (acceptZstd: boolean) =>
    new Promise<{ digest: string; data: Buffer; zstd: boolean; rawLength: number }[]>((resolve, reject) => {
      const got: { digest: string; data: Buffer; zstd: boolean; rawLength: number }[] = [];
      const call = raw['ReadChunks']!({ digests: [digest], acceptZstd }) as import('@grpc/grpc-js').ClientReadableStream<(typeof got)[number]>;
      call.on('data', (message) => got.push(message));
      call.on('error', reject);
      call.on('end', () => resolve(got));
    });
  const [plain] = await read(false);
  t.false(plain!.zstd);
  t.true(plain!.data.equals(text));
  const [framed] = await read(true);
  t.true(framed!.zstd);
  t.is(framed!.rawLength, text.length);
  t.true(framed!.data.length < text.length / 10);
  // cas-client takes the frames and hands back the raw bytes.
  const pulled = [];
  for await (const chunk of store.readChunks([digest!])) pulled.push(chunk);
  t.is(pulled.length, 1);
  t.true(pulled[0]!.data.equals(text));
});
