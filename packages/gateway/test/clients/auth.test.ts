import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ContainersClient } from './support/containers-tools.ts';
import { DockerDaemon } from './support/docker.ts';
import { buildLayer, image, sha256, writeOciLayout, type Image } from './support/images.ts';
import { CommandFailed, requireTools, run } from './support/processes.ts';
import { embeddedServer, type StrataServer } from './support/strata-server.ts';
import { workspace, type Workspace } from './support/workspace.ts';

const STRATA_BIN = join(import.meta.dirname, '..', '..', '..', 'cli', 'bin', 'strata.js');

const PASSWORDS = { alice: 'alice-pushes-here', bob: 'bob-only-reads' } as const;

/** alice may push to team/ and public/; bob may only pull team/; anyone may pull public/, nobody else anything. */
const RULES = `  - prefix: team
    pull: ["*"]
    push: [alice]
    delete: [alice]
  - prefix: public
    pull: [anonymous]
    push: [alice]
`;

interface AuthCase {
  server: StrataServer;
  workspace: Workspace;
  source: string;
  app: Image;
}

/**
 * A registry run as `strata serve --auth FILE`, the file made the way an
 * operator makes it: `strata user add` with the password piped in, then the
 * rules written under `access:`. An image waits in an OCI layout at `source`.
 */
function authTest(title: string, body: (t: ExecutionContext, context: AuthCase) => Promise<void>): void {
  test(`${embeddedServer.name}: ${title}`, async (t) => {
    const space = await workspace(t);
    const authFile = space.path('auth.yaml');
    for (const [name, password] of Object.entries(PASSWORDS)) {
      await run(process.execPath, [STRATA_BIN, 'user', 'add', '--auth', authFile, name], { input: `${password}\n`, timeoutMs: 60_000 });
    }
    await appendFile(authFile, RULES);
    const server = await embeddedServer.start(t, space, { auth: authFile });
    t.teardown(async () => {
      if (!t.passed) t.log(`registry log (tail):\n${(await server.log()).slice(-4000)}`);
    });
    const app = image([
      await buildLayer(space, [{ path: 'etc/app/greeting', content: 'hello from behind auth\n' }]),
      await buildLayer(space, [{ path: 'srv/data.bin', content: Buffer.alloc(150_000, 3) }]),
    ]);
    const source = await space.dir('source');
    await writeOciLayout(source, [{ tag: 'v1', of: app }]);
    await body(t, { server, workspace: space, source, app });
  });
}

/** The command's failure (it must fail), with everything it printed. */
async function failure(t: ExecutionContext, command: Promise<unknown>): Promise<string> {
  const error = await t.throwsAsync(command);
  t.true(error instanceof CommandFailed, String(error));
  return (error as CommandFailed).result.output;
}

/** Requests the registry answered with `status` on `route` so far. */
async function answered(server: StrataServer, route: string, status: number): Promise<number> {
  return (await server.metrics()).sum('strata_http_requests_total', { route, status: String(status) });
}

authTest('podman logs in with token auth, pushes and pulls; bob may pull but not push; anonymous pulls only public/', async (t, { server, workspace: space, app }) => {
  await requireTools(t, 'podman', 'unshare', 'tar');
  const alice = await ContainersClient.create(space, 'podman-alice', [server.host]);
  const loggedIn = await alice.podman(['login', '--username', 'alice', '--password-stdin', server.host], { input: `${PASSWORDS.alice}\n` });
  t.regex(loggedIn.output, /Login Succeeded/i);
  const stored = JSON.parse(await readFile(alice.env['REGISTRY_AUTH_FILE'] as string, 'utf8')) as { auths: Record<string, unknown> };
  t.truthy(stored.auths[server.host], 'podman keeps the login for the registry');

  // podman would name an image pulled from a layout after the layout's path: an imported one is named here.
  const rootfs = space.path('rootfs.tar');
  await writeFile(rootfs, app.layers[0]?.tar ?? Buffer.alloc(0));
  await alice.podman(['import', rootfs, 'localhost/app:v1']);
  await alice.podman(['push', '--format', 'oci', 'localhost/app:v1', `${server.host}/team/app:v1`]);
  await alice.podman(['push', '--format', 'oci', 'localhost/app:v1', `${server.host}/public/app:v1`]);
  t.true((await answered(server, 'token', 200)) > 0, 'podman took the Bearer challenge to /token');
  t.is((await fetch(`${server.url}/v2/team/app/manifests/v1`)).status, 401);

  // bob signs in on a clean podman: pulls team/app, is refused a push.
  const bob = await ContainersClient.create(space, 'podman-bob', [server.host]);
  await bob.podman(['login', '--username', 'bob', '--password-stdin', server.host], { input: `${PASSWORDS.bob}\n` });
  await bob.podman(['pull', `${server.host}/team/app:v1`]);
  const digest = await bob.podman(['image', 'inspect', '--format', '{{.Digest}}', `${server.host}/team/app:v1`]);
  t.not(digest.stdout.trim(), '');
  const deniedBefore = await answered(server, 'upload.start', 403);
  const refused = await failure(t, bob.podman(['push', '--format', 'oci', `${server.host}/team/app:v1`, `${server.host}/team/bobs:v1`]));
  t.regex(refused, /denied|403|unauthorized/i);
  t.true((await answered(server, 'upload.start', 403)) > deniedBefore, 'the push was refused with 403 DENIED');

  // A podman that never logged in pulls public/ and nothing else.
  const anonymous = await ContainersClient.create(space, 'podman-anonymous', [server.host]);
  await anonymous.podman(['pull', `${server.host}/public/app:v1`]);
  const anonymousDigest = await anonymous.podman(['image', 'inspect', '--format', '{{.Digest}}', `${server.host}/public/app:v1`]);
  t.is(anonymousDigest.stdout.trim(), digest.stdout.trim(), 'the same image under both names');
  t.regex(await failure(t, anonymous.podman(['pull', `${server.host}/team/app:v1`])), /unauthorized|authentication required|401/i);

  await failure(t, anonymous.podman(['login', '--username', 'bob', '--password-stdin', server.host], { input: 'not-bobs-password\n' }));
});

authTest('skopeo copies with --dest-creds and --src-creds; wrong or missing credentials and missing push rights are refused', async (t, { server, workspace: space, source, app }) => {
  await requireTools(t, 'skopeo', 'unshare', 'tar');
  const skopeo = await ContainersClient.create(space, 'skopeo', [server.host]);
  const aliceCreds = `alice:${PASSWORDS.alice}`;
  const bobCreds = `bob:${PASSWORDS.bob}`;

  await skopeo.skopeo(['copy', '--dest-creds', aliceCreds, `oci:${source}:v1`, `docker://${server.host}/team/app:v1`]);
  const raw = await skopeo.skopeo(['inspect', '--raw', '--creds', bobCreds, `docker://${server.host}/team/app:v1`]);
  t.is(sha256(Buffer.from(raw.stdout)), app.digest);

  const pulled = join(space.root, 'pulled');
  await skopeo.skopeo(['copy', '--src-creds', bobCreds, `docker://${server.host}/team/app:v1`, `oci:${pulled}:v1`]);
  const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  t.deepEqual(index.manifests.map((manifest) => manifest.digest), [app.digest]);

  const deniedBefore = await answered(server, 'upload.start', 403);
  await failure(t, skopeo.skopeo(['copy', '--dest-creds', bobCreds, `oci:${source}:v1`, `docker://${server.host}/team/bobs:v1`]));
  t.true((await answered(server, 'upload.start', 403)) > deniedBefore, 'bob reached the registry and was denied the push');
  t.is((await fetch(`${server.url}/v2/team/bobs/tags/list`, { headers: { authorization: `Basic ${Buffer.from(aliceCreds).toString('base64')}` } })).status, 404, 'nothing of bob\'s push landed');

  await failure(t, skopeo.skopeo(['copy', '--src-creds', 'bob:wrong-password', `docker://${server.host}/team/app:v1`, `oci:${join(space.root, 'nope')}:v1`]));
  await failure(t, skopeo.skopeo(['copy', `docker://${server.host}/team/app:v1`, `oci:${join(space.root, 'anonymous-team')}:v1`]));

  // Another repository alice may push to: the layers are mounted from team/app (she may pull there), not sent again.
  const mountsBefore = await answered(server, 'upload.start', 201);
  await skopeo.skopeo(['copy', '--dest-creds', aliceCreds, `oci:${source}:v1`, `docker://${server.host}/public/app:v1`]);
  t.true((await answered(server, 'upload.start', 201)) > mountsBefore);
  const anonymousPull = join(space.root, 'anonymous-public');
  await skopeo.skopeo(['copy', `docker://${server.host}/public/app:v1`, `oci:${anonymousPull}:v1`]);
  const publicIndex = JSON.parse(await readFile(join(anonymousPull, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  t.deepEqual(publicIndex.manifests.map((manifest) => manifest.digest), [app.digest]);
});

authTest('docker logs in (refresh token), pushes and pulls; bob is denied a push; logged out, only public/ pulls', async (t, { server, workspace: space, app }) => {
  await requireTools(t, 'dockerd', 'docker', 'unshare');
  const rootfs = space.path('rootfs.tar');
  await writeFile(rootfs, app.layers[0]?.tar ?? Buffer.alloc(0));
  const docker = await DockerDaemon.start(t, space, 'docker');
  const team = `${server.host}/team/docker-app:v1`;
  const publicImage = `${server.host}/public/docker-app:v1`;

  t.regex((await docker.docker(['login', '--username', 'alice', '--password-stdin', server.host], { input: `${PASSWORDS.alice}\n` })).output, /Login Succeeded/i);
  const config = JSON.parse(await readFile(join(docker.env['DOCKER_CONFIG'] as string, 'config.json'), 'utf8')) as { auths: Record<string, { identitytoken?: string }> };
  t.truthy(config.auths[server.host]?.identitytoken, 'docker keeps the refresh token, not the password');
  await docker.docker(['import', rootfs, team]);
  await docker.docker(['tag', team, publicImage]);
  await docker.docker(['push', team]);
  await docker.docker(['push', publicImage]);
  t.true((await (await server.metrics()).sum('strata_http_requests_total', { route: 'token', method: 'POST', status: '200' })) > 0, 'docker traded its refresh token at POST /token');

  await docker.docker(['logout', server.host]);
  await docker.docker(['login', '--username', 'bob', '--password-stdin', server.host], { input: `${PASSWORDS.bob}\n` });
  await docker.docker(['rmi', team, publicImage]);
  await docker.docker(['pull', team]);
  await docker.docker(['tag', team, `${server.host}/team/bobs-app:v1`]);
  const deniedBefore = await answered(server, 'upload.start', 403);
  t.regex(await failure(t, docker.docker(['push', `${server.host}/team/bobs-app:v1`])), /denied/i);
  t.true((await answered(server, 'upload.start', 403)) > deniedBefore);

  await docker.docker(['logout', server.host]);
  await docker.docker(['rmi', team, `${server.host}/team/bobs-app:v1`]);
  await docker.docker(['pull', publicImage]);
  t.regex(await failure(t, docker.docker(['pull', team])), /unauthorized|authentication required|denied/i);
});
