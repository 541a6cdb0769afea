import { ContainersClient } from './support/containers-tools.ts';
import { buildContext } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

const CONTAINERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox echo built-by-buildah > /stamp"]
COPY greeting /greeting
`;

forEachServer('buildah build --layers with --cache-to/--cache-from in strata: a rebuild on clean storage uses the remote cache', async (t, { server, workspace }) => {
  await requireTools(t, 'buildah', 'unshare', 'busybox');
  const context = await buildContext(workspace, 'context', CONTAINERFILE, { greeting: 'hello\n' });
  const cache = `${server.host}/team/build-cache`;
  const build = (client: ContainersClient) =>
    client.buildah([
      'build',
      '--isolation', 'chroot',
      '--layers',
      '--signature-policy', client.policy,
      '--tls-verify=false',
      '--cache-to', cache,
      '--cache-from', cache,
      '--tag', 'localhost/app:latest',
      context,
    ]);

  const first = await build(await ContainersClient.create(workspace, 'buildah-first', [server.host]));
  t.is([...first.output.matchAll(/Pushing cache /g)].length, 3, first.output);
  const tags = (await (await fetch(`${server.url}/v2/team/build-cache/tags/list`)).json()) as { tags: string[] };
  t.is(tags.tags.length, 3);

  const rebuild = await build(await ContainersClient.create(workspace, 'buildah-clean', [server.host]));
  t.is([...rebuild.output.matchAll(/Cache pulled from remote /g)].length, 3, rebuild.output);
  t.is([...rebuild.output.matchAll(/Using cache /g)].length, 3, rebuild.output);
  t.notRegex(rebuild.output, /Pushing cache /);
});
