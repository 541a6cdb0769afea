import { ContainersClient } from './support/containers-tools.ts';
import { buildLayer, busyboxLayer, image, pushOverHttp, OCI_MANIFEST } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

forEachServer('podman pulls from strata, runs the image, and pushes it back under a new name', async (t, { server, workspace }) => {
  await requireTools(t, 'podman', 'runc', 'unshare', 'tar', 'busybox');
  const app = image([await busyboxLayer(workspace), await buildLayer(workspace, [{ path: 'greeting', content: 'hello from strata via podman\n' }])]);
  await pushOverHttp(server.url, 'team/app', 'v1', app);
  const podman = await ContainersClient.create(workspace, 'podman', [server.host]);

  await podman.podman(['pull', `${server.host}/team/app:v1`]);
  const digest = await podman.podman(['image', 'inspect', '--format', '{{.Digest}}', `${server.host}/team/app:v1`]);
  t.is(digest.stdout.trim(), app.digest);

  const greeting = await podman.podman(['run', '--rm', '--network=none', `${server.host}/team/app:v1`, 'busybox', 'cat', '/greeting']);
  t.is(greeting.stdout, 'hello from strata via podman\n');

  await podman.podman(['push', '--format', 'oci', `${server.host}/team/app:v1`, `${server.host}/team/copied:v2`]);
  const pushed = await fetch(`${server.url}/v2/team/copied/manifests/v2`, { headers: { accept: OCI_MANIFEST } });
  t.is(pushed.status, 200);
  const manifest = (await pushed.json()) as { layers: { digest: string }[] };
  t.is(manifest.layers.length, 2);
  for (const layer of manifest.layers) {
    t.is((await fetch(`${server.url}/v2/team/copied/blobs/${layer.digest}`, { method: 'HEAD' })).status, 200);
  }

  // A second, clean podman pulls what the first one pushed.
  const other = await ContainersClient.create(workspace, 'podman-clean', [server.host]);
  await other.podman(['pull', `${server.host}/team/copied:v2`]);
  const again = await other.podman(['run', '--rm', '--network=none', `${server.host}/team/copied:v2`, 'busybox', 'cat', '/greeting']);
  t.is(again.stdout, 'hello from strata via podman\n');
});
