import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { decodeJwt } from 'jose';
import { createMemoryStore } from '@strata/cas-testsuite';
import { isAlreadyExists, isInvalidArgument, isNotFound } from '@strata/errors';
import {
  AccessPolicy,
  Gateway,
  LmdbMetadata,
  RegistryAuth,
  hashPassword,
  loadAuthFile,
  loadOrCreateTokenKey,
  parseAuthConfig,
  removeUser,
  setUserPassword,
  startRegistry,
  type LoginLimits,
} from '@strata/gateway';
import { errorCodes, imageManifest, randomBlob, sha256, silent, tempDir } from './support.ts';

const PASSWORDS = { alice: 'alice-secret-1', bob: 'bob-secret-22', dave: 'dave-secret-333' } as const;
type User = keyof typeof PASSWORDS;

/** Hashing is deliberately slow: each user's hash is made once per test file. */
const hashes = Promise.all(Object.entries(PASSWORDS).map(async ([name, password]) => [name, await hashPassword(password)] as const));

/**
 * alice owns team/ and public/; bob may read team/ but not team/secret;
 * dave pushes only under dave/; anyone may pull public/.
 */
async function authFileText(): Promise<string> {
  const users = (await hashes).map(([name, hash]) => `  ${name}:\n    password: "${hash}"`).join('\n');
  return `users:
${users}
access:
  - prefix: team
    pull: ["*"]
    push: [alice]
    delete: [alice]
  - prefix: team/secret
    pull: [alice]
    push: [alice]
  - prefix: public
    pull: [anonymous]
    push: [alice]
  - prefix: dave
    pull: [dave]
    push: [dave]
`;
}

interface AuthRegistry {
  url: string;
  auth: RegistryAuth;
  file: string;
  /** Moves the registry's clock forward. */
  advance(seconds: number): void;
}

async function startAuthRegistry(t: ExecutionContext, options: { loginLimits?: LoginLimits } = {}): Promise<AuthRegistry> {
  const dir = await tempDir(t);
  const file = join(dir, 'auth.yaml');
  await writeFile(file, await authFileText());
  let clock = Date.now();
  const authOptions: ConstructorParameters<typeof RegistryAuth>[0] = {
    config: await loadAuthFile(file),
    file,
    tokenKey: await loadOrCreateTokenKey(join(dir, 'token-key')),
    now: () => clock,
  };
  if (options.loginLimits) authOptions.loginLimits = options.loginLimits;
  const auth = new RegistryAuth(authOptions);
  const metadata = await LmdbMetadata.open(join(dir, 'gateway'));
  const gateway = new Gateway({ store: createMemoryStore(), metadata, logger: silent, auth });
  await gateway.listen(0);
  t.teardown(async () => {
    await gateway.close();
    await metadata.close();
  });
  return { url: gateway.url, auth, file, advance: (seconds) => (clock += seconds * 1000) };
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function as(user: User): string {
  return basic(user, PASSWORDS[user]);
}

async function tokenResponse(url: string, scopes: string[], authorization?: string): Promise<Response> {
  const query = new URLSearchParams({ service: 'strata' });
  for (const scope of scopes) query.append('scope', scope);
  return fetch(`${url}/token?${query.toString()}`, { headers: authorization ? { authorization } : {} });
}

/** A bearer Authorization header for `scopes`, signed in as `user` or anonymous. */
async function bearer(t: ExecutionContext, url: string, scopes: string[], user?: User): Promise<string> {
  const response = await tokenResponse(url, scopes, user ? as(user) : undefined);
  t.is(response.status, 200);
  const body = (await response.json()) as { token: string };
  return `Bearer ${body.token}`;
}

function accessOf(authorization: string): unknown {
  return decodeJwt(authorization.slice('Bearer '.length)).access;
}

async function pushBlobAs(url: string, repository: string, bytes: Buffer, authorization?: string): Promise<Response> {
  return fetch(`${url}/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream', ...(authorization ? { authorization } : {}) },
  });
}

/** Pushes a one-layer image as `authorization`; the manifest's answer. */
async function pushImageAs(url: string, repository: string, tag: string, authorization: string): Promise<Response> {
  const image = imageManifest(Buffer.from(`{"repo":"${repository}"}`), [randomBlob(3000).bytes]);
  for (const blob of [image.config, ...image.layers]) {
    const pushed = await pushBlobAs(url, repository, blob, authorization);
    if (pushed.status !== 201) return pushed;
  }
  return fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: image.manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', authorization },
  });
}

function challengeOf(response: Response): Record<string, string> {
  const header = response.headers.get('www-authenticate') ?? '';
  const match = /^Bearer (.*)$/.exec(header);
  if (!match) return {};
  return Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
}

test('the auth file: rules parse, bad files are refused, the longest prefix decides on component boundaries', async (t) => {
  const policy = new AccessPolicy(parseAuthConfig(await authFileText()));
  t.deepEqual([...policy.actionsFor('alice', 'team/app')], ['pull', 'push', 'delete']);
  t.deepEqual([...policy.actionsFor('bob', 'team/app')], ['pull']);
  t.deepEqual([...policy.actionsFor('bob', 'team/secret/db')], []);
  t.deepEqual([...policy.actionsFor('bob', 'teamwork/app')], [], 'a prefix matches whole path components');
  t.deepEqual([...policy.actionsFor(undefined, 'public/base')], ['pull']);
  t.deepEqual([...policy.actionsFor(undefined, 'team/app')], []);
  t.deepEqual([...policy.actionsFor('mallory', 'public/base')], [], 'a user the file does not hold gets nothing');
  t.deepEqual([...policy.actionsFor('alice', 'elsewhere/app')], [], 'a repository no rule matches is closed');

  for (const bad of [
    'users: [alice]',
    'users:\n  alice: {}',
    'users:\n  "bad:name": { password: "$argon2id$x" }',
    'access:\n  - prefix: team\n    pull: alice',
    'access:\n  - prefix: team\n    write: [alice]',
    'access:\n  - prefix: "Team/App"',
    'access:\n  - prefix: team\n  - prefix: team/',
    'groups: {}',
    'users: [',
  ]) {
    t.true(isInvalidArgument(t.throws(() => parseAuthConfig(bad))), bad);
  }
});

test('user file edits: created 0600, added, refused twice, replaced, removed, comments kept', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'auth.yaml');
  t.true(await setUserPassword(file, 'alice', await hashPassword('correct horse')));
  t.is((await stat(file)).mode & 0o777, 0o600);
  const error = await t.throwsAsync(setUserPassword(file, 'alice', await hashPassword('another one')));
  t.true(isAlreadyExists(error));
  t.false(await setUserPassword(file, 'alice', await hashPassword('another one'), { replace: true }));
  await setUserPassword(file, 'bob', await hashPassword('bob password'));
  t.deepEqual([...(await loadAuthFile(file)).users.keys()], ['alice', 'bob']);
  const policy = new AccessPolicy(await loadAuthFile(file));
  t.true(await policy.authenticate('alice', 'another one'));
  t.false(await policy.authenticate('alice', 'correct horse'));
  await removeUser(file, 'alice');
  t.deepEqual([...(await loadAuthFile(file)).users.keys()], ['bob']);
  t.true(isNotFound(await t.throwsAsync(removeUser(file, 'alice'))));
  t.true(isInvalidArgument(await t.throwsAsync(hashPassword(''))));
  t.true(isInvalidArgument(await t.throwsAsync(setUserPassword(file, 'anonymous', 'x'))));
  t.regex(await readFile(file, 'utf8'), /^# strata registry users/);
});

test('no credentials: /v2/ answers 401 with a Bearer challenge naming the realm and service', async (t) => {
  const { url } = await startAuthRegistry(t);
  const response = await fetch(`${url}/v2/`);
  t.is(response.status, 401);
  t.deepEqual(await errorCodes(response), ['UNAUTHORIZED']);
  t.deepEqual(challengeOf(response), { realm: `${url}/token`, service: 'strata' });
  t.is((await fetch(`${url}/v2/`, { headers: { authorization: as('bob') } })).status, 200);
  t.is((await fetch(`${url}/v2/`, { headers: { authorization: await bearer(t, url, []) } })).status, 200, 'any valid token passes the version check');
  t.is((await fetch(`${url}/healthz`)).status, 200, 'operations endpoints stay open');
});

test('token flow: alice pushes with a token for pull,push and pulls back; the token carries exactly that', async (t) => {
  const { url } = await startAuthRegistry(t);
  const denied = await pushBlobAs(url, 'team/app', randomBlob(10).bytes);
  t.is(denied.status, 401);
  t.deepEqual(challengeOf(denied), { realm: `${url}/token`, service: 'strata', scope: 'repository:team/app:pull,push', error: 'insufficient_scope' });

  const response = await tokenResponse(url, ['repository:team/app:pull,push'], as('alice'));
  t.is(response.status, 200);
  t.is(response.headers.get('cache-control'), 'no-store');
  const body = (await response.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
  t.is(body.access_token, body.token);
  t.is(body.expires_in, 300);
  t.false(Number.isNaN(Date.parse(body.issued_at)));
  const claims = decodeJwt(body.token);
  t.is(claims.sub, 'alice');
  t.is(claims.aud, 'strata');
  t.deepEqual(claims.access, [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]);

  const authorization = `Bearer ${body.token}`;
  t.is((await pushImageAs(url, 'team/app', 'v1', authorization)).status, 201);
  const pulled = await fetch(`${url}/v2/team/app/manifests/v1`, { headers: { authorization } });
  t.is(pulled.status, 200);
  const tags = await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization } });
  t.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1']);
  const otherRepository = await fetch(`${url}/v2/team/other/tags/list`, { headers: { authorization } });
  t.is(otherRepository.status, 403, 'the token grants only the repository it names');
  t.deepEqual(await errorCodes(otherRepository), ['DENIED']);
});

test('scope intersection: what is granted is what was asked for and the rules allow', async (t) => {
  const { url } = await startAuthRegistry(t);
  const bob = await bearer(t, url, ['repository:team/app:pull,push,delete', 'repository:team/secret/db:pull', 'repository:public/base:*'], 'bob');
  t.deepEqual(accessOf(bob), [
    { type: 'repository', name: 'team/app', actions: ['pull'] },
    { type: 'repository', name: 'public/base', actions: ['pull'] },
  ]);
  const alice = await bearer(t, url, ['repository:team/app:*', 'repository:team/app:pull', 'registry:catalog:*', 'nonsense', 'repository:Not/Valid:pull'], 'alice');
  t.deepEqual(accessOf(alice), [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ]);
  const anonymous = await bearer(t, url, ['repository:public/base:pull,push', 'repository:team/app:pull']);
  t.deepEqual(accessOf(anonymous), [{ type: 'repository', name: 'public/base', actions: ['pull'] }]);
  t.is(decodeJwt(anonymous.slice(7)).sub, '');
});

test('401 versus 403: signed in without the action is DENIED, anonymous is challenged', async (t) => {
  const { url } = await startAuthRegistry(t);
  const alice = await bearer(t, url, ['repository:team/app:pull,push'], 'alice');
  t.is((await pushImageAs(url, 'team/app', 'v1', alice)).status, 201);

  const bob = await bearer(t, url, ['repository:team/app:pull,push'], 'bob');
  t.is((await fetch(`${url}/v2/team/app/manifests/v1`, { headers: { authorization: bob } })).status, 200);
  const push = await pushBlobAs(url, 'team/app', randomBlob(100).bytes, bob);
  t.is(push.status, 403);
  t.deepEqual(await errorCodes(push), ['DENIED']);
  const bobDelete = await fetch(`${url}/v2/team/app/manifests/v1`, { method: 'DELETE', headers: { authorization: as('bob') } });
  t.is(bobDelete.status, 403, 'basic credentials are held to the same rules');

  const anonymous = await bearer(t, url, ['repository:team/app:pull']);
  const anonymousPull = await fetch(`${url}/v2/team/app/manifests/v1`, { headers: { authorization: anonymous } });
  t.is(anonymousPull.status, 401);
  t.is(challengeOf(anonymousPull).scope, 'repository:team/app:pull');

  const aliceDelete = await fetch(`${url}/v2/team/app/manifests/v1`, { method: 'DELETE', headers: { authorization: as('alice') } });
  t.is(aliceDelete.status, 202);
});

test('anonymous pull works only where a rule lets anonymous pull', async (t) => {
  const { url } = await startAuthRegistry(t);
  t.is((await pushImageAs(url, 'public/base', 'v1', as('alice'))).status, 201);
  t.is((await pushImageAs(url, 'team/app', 'v1', as('alice'))).status, 201);
  t.is((await fetch(`${url}/v2/public/base/manifests/v1`)).status, 200, 'no token needed where anonymous may pull');
  const anonymous = await bearer(t, url, ['repository:public/base:pull']);
  t.is((await fetch(`${url}/v2/public/base/manifests/v1`, { headers: { authorization: anonymous } })).status, 200);
  const closed = await fetch(`${url}/v2/team/app/manifests/v1`);
  t.is(closed.status, 401);
  t.is(challengeOf(closed).scope, 'repository:team/app:pull');
  const anonymousPush = await pushBlobAs(url, 'public/base', randomBlob(10).bytes);
  t.is(anonymousPush.status, 401);
  t.is(challengeOf(anonymousPush).scope, 'repository:public/base:pull,push');
});

test('wrong or unknown credentials are 401 at /token and on the API', async (t) => {
  const { url } = await startAuthRegistry(t);
  const wrong = await tokenResponse(url, ['repository:team/app:pull'], basic('alice', 'not-her-password'));
  t.is(wrong.status, 401);
  t.deepEqual(await errorCodes(wrong), ['UNAUTHORIZED']);
  t.regex(wrong.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  t.is((await tokenResponse(url, [], basic('mallory', 'whatever-it-is'))).status, 401);
  t.is((await tokenResponse(url, [], 'Digest abc')).status, 401);
  const api = await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization: basic('bob', 'wrong-password') } });
  t.is(api.status, 401);
  t.is(challengeOf(api).scope, 'repository:team/app:pull');
});

test('tampered, foreign and expired tokens are 401 invalid_token', async (t) => {
  const registry = await startAuthRegistry(t);
  const { url } = registry;
  const good = await bearer(t, url, ['repository:team/app:pull'], 'bob');
  t.is((await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization: good } })).status, 404, 'a valid token reaches the handler');

  const [header, payload, signature] = good.slice('Bearer '.length).split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  claims.access = [{ type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] }];
  const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
  const other = await startAuthRegistry(t);
  const foreign = await bearer(t, other.url, ['repository:team/app:pull'], 'bob');
  for (const authorization of [`Bearer ${forged}`, `Bearer ${unsigned}`, 'Bearer not-a-jwt', foreign]) {
    const response = await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization } });
    t.is(response.status, 401);
    t.is(challengeOf(response).error, 'invalid_token');
  }

  registry.advance(299);
  t.is((await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization: good } })).status, 404);
  registry.advance(2);
  const expired = await fetch(`${url}/v2/team/app/tags/list`, { headers: { authorization: good } });
  t.is(expired.status, 401);
  t.deepEqual(await errorCodes(expired), ['UNAUTHORIZED']);
  t.is(challengeOf(expired).error, 'invalid_token');
});

test('failed logins are limited per user and per client address: 429 with Retry-After', async (t) => {
  const { url } = await startAuthRegistry(t, { loginLimits: { failures: 3, windowSeconds: 60 } });
  for (let attempt = 0; attempt < 3; attempt++) {
    t.is((await tokenResponse(url, [], basic('bob', `guess-${attempt}`))).status, 401);
  }
  const limited = await tokenResponse(url, [], as('bob'));
  t.is(limited.status, 429, 'even the right password waits out the window');
  t.deepEqual(await errorCodes(limited), ['TOOMANYREQUESTS']);
  const retryAfter = Number(limited.headers.get('retry-after'));
  t.true(retryAfter > 0 && retryAfter <= 60);
  t.is((await fetch(`${url}/v2/`, { headers: { authorization: as('bob') } })).status, 429, 'basic auth on the API counts the same');
  t.is((await tokenResponse(url, [], as('alice'))).status, 429, 'the client address is limited too');
  t.is((await tokenResponse(url, ['repository:public/base:pull'])).status, 200, 'anonymous tokens need no login');
});

test('catalog: needs the registry:catalog:* scope and lists only what the caller may pull', async (t) => {
  const { url } = await startAuthRegistry(t);
  for (const repository of ['public/base', 'team/app', 'team/secret/db', 'dave/tool']) {
    const pusher = repository.startsWith('dave') ? as('dave') : as('alice');
    t.is((await pushImageAs(url, repository, 'v1', pusher)).status, 201, repository);
  }
  const unauthenticated = await fetch(`${url}/v2/_catalog`);
  t.is(unauthenticated.status, 401);
  t.is(challengeOf(unauthenticated).scope, 'registry:catalog:*');

  const list = async (authorization: string, query = ''): Promise<{ status: number; names?: string[]; link: string | null }> => {
    const response = await fetch(`${url}/v2/_catalog${query}`, { headers: { authorization } });
    if (response.status !== 200) return { status: response.status, link: null };
    return { status: 200, names: ((await response.json()) as { repositories: string[] }).repositories, link: response.headers.get('link') };
  };
  t.deepEqual((await list(await bearer(t, url, ['registry:catalog:*'], 'bob'))).names, ['public/base', 'team/app']);
  t.deepEqual((await list(await bearer(t, url, ['registry:catalog:*'], 'alice'))).names, ['public/base', 'team/app', 'team/secret/db']);
  t.deepEqual((await list(await bearer(t, url, ['registry:catalog:*']))).names, ['public/base']);
  t.deepEqual((await list(as('dave'))).names, ['dave/tool', 'public/base', 'team/app'], 'team/ is open to every signed-in user');
  const paged = await list(await bearer(t, url, ['registry:catalog:*'], 'bob'), '?n=1');
  t.deepEqual(paged.names, ['public/base']);
  t.is(paged.link, '</v2/_catalog?n=1&last=public%2Fbase>; rel="next"');
  t.is((await list(await bearer(t, url, ['repository:team/app:pull'], 'bob'))).status, 403, 'a token without the catalog scope');
});

test('cross-repository mount needs pull rights on the source; without them it is a plain upload', async (t) => {
  const { url } = await startAuthRegistry(t);
  const blob = randomBlob(5000);
  t.is((await pushBlobAs(url, 'team/secret/db', blob.bytes, as('alice'))).status, 201);
  const mount = (to: string, authorization: string): Promise<Response> =>
    fetch(`${url}/v2/${to}/blobs/uploads/?mount=${blob.digest}&from=team/secret/db`, { method: 'POST', headers: { authorization } });

  const dave = await bearer(t, url, ['repository:dave/tool:pull,push', 'repository:team/secret/db:pull'], 'dave');
  const refused = await mount('dave/tool', dave);
  t.is(refused.status, 202);
  t.truthy(refused.headers.get('docker-upload-uuid'));
  t.is((await fetch(`${url}/v2/dave/tool/blobs/${blob.digest}`, { method: 'HEAD', headers: { authorization: dave } })).status, 404);

  const alice = await bearer(t, url, ['repository:team/app:pull,push', 'repository:team/secret/db:pull'], 'alice');
  const mounted = await mount('team/app', alice);
  t.is(mounted.status, 201);
  t.is((await fetch(`${url}/v2/team/app/blobs/${blob.digest}`, { method: 'HEAD', headers: { authorization: alice } })).status, 200);
});

test('POST /token: password grant with a refresh token, refresh grant, revoked when the password changes', async (t) => {
  const { url, auth, file } = await startAuthRegistry(t);
  const form = (fields: Record<string, string>): Promise<Response> =>
    fetch(`${url}/token`, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const first = await form({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob, service: 'strata', client_id: 'test', access_type: 'offline', scope: 'repository:team/app:pull repository:team/other:push' });
  t.is(first.status, 200);
  const tokens = (await first.json()) as { access_token: string; refresh_token: string; scope: string };
  t.is(tokens.scope, 'repository:team/app:pull', 'bob may not push to team/other, so it is left out');
  t.truthy(tokens.refresh_token);
  t.is((await form({ grant_type: 'password', username: 'bob', password: 'wrong-password' })).status, 401);

  const refreshed = await form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, service: 'strata', scope: 'repository:team/app:pull' });
  t.is(refreshed.status, 200);
  const again = (await refreshed.json()) as { access_token: string };
  t.deepEqual(decodeJwt(again.access_token).access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
  t.is((await form({ grant_type: 'refresh_token', refresh_token: tokens.access_token })).status, 401, 'an access token is no refresh token');
  t.is((await form({ grant_type: 'client_credentials' })).status, 400);

  await setUserPassword(file, 'bob', await hashPassword('a brand new one'), { replace: true });
  await auth.reload();
  t.is((await form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status, 401);

  const offline = await tokenResponse(url, [], as('alice'));
  t.false('refresh_token' in ((await offline.json()) as object), 'GET gives a refresh token only with offline_token=true');
  const withRefresh = await fetch(`${url}/token?service=strata&offline_token=true`, { headers: { authorization: as('alice') } });
  t.truthy(((await withRefresh.json()) as { refresh_token?: string }).refresh_token);
});

test('startRegistry with auth: the token key is made 0600 once and tokens outlive a restart; without auth /token is 404', async (t) => {
  const dataDir = await tempDir(t);
  const file = join(dataDir, 'auth.yaml');
  await writeFile(file, await authFileText());
  const first = await startRegistry({ dataDir, port: 0, logger: silent, auth: { file } });
  const authorization = await bearer(t, first.url, ['repository:team/app:pull'], 'bob');
  await first.close();
  t.is((await stat(join(dataDir, 'gateway', 'token-key'))).mode & 0o777, 0o600);

  const second = await startRegistry({ dataDir, port: 0, logger: silent, auth: { file } });
  t.teardown(() => second.close());
  t.is((await fetch(`${second.url}/v2/team/app/tags/list`, { headers: { authorization } })).status, 404);
  t.is((await fetch(`${second.url}/v2/team/app/tags/list`)).status, 401);

  const open = await startRegistry({ dataDir: await tempDir(t), port: 0, logger: silent });
  t.teardown(() => open.close());
  t.is((await fetch(`${open.url}/token`)).status, 404);
  t.is((await fetch(`${open.url}/v2/team/app/tags/list`)).status, 404, 'no auth: everyone reaches every repository');
});
