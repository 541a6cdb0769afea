import { Containerd } from './support/containerd.ts';
import { buildLayer, busyboxLayer, image, pushOverHttp, OCI_MANIFEST } from './support/images.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

forEachServer('containerd ctr pulls from strata, runs the image with the native snapshotter, and pushes it back', async (t, { server, workspace }) => {
  await requireTools(t, 'containerd', 'ctr', 'runc', 'unshare', 'tar', 'busybox');
  const app = image([await busyboxLayer(workspace), await buildLayer(workspace, [{ path: 'greeting', content: 'hello from strata via containerd\n' }])]);
  await pushOverHttp(server.url, 'team/app', 'v1', app);
  const containerd = await Containerd.start(t, workspace, 'containerd');
  const reference = `${server.host}/team/app:v1`;

  await containerd.ctr(['images', 'pull', '--plain-http', '--snapshotter', 'native', reference]);
  const images = await containerd.ctr(['images', 'list', '--quiet']);
  t.true(images.stdout.split('\n').includes(reference));
  const checked = await containerd.ctr(['images', 'check']);
  t.regex(checked.stdout, new RegExp(`${reference.replaceAll('.', '\\.')}\\s.*complete`));

  const greeting = await containerd.ctr(['run', '--rm', '--snapshotter', 'native', reference, 'greeter', 'busybox', 'cat', '/greeting']);
  t.is(greeting.stdout, 'hello from strata via containerd\n');

  const copy = `${server.host}/team/ctr-copy:v2`;
  await containerd.ctr(['images', 'tag', reference, copy]);
  await containerd.ctr(['images', 'push', '--plain-http', copy]);
  const pushed = await fetch(`${server.url}/v2/team/ctr-copy/manifests/v2`, { headers: { accept: OCI_MANIFEST }, method: 'HEAD' });
  t.is(pushed.status, 200);
  t.is(pushed.headers.get('docker-content-digest'), app.digest);
  for (const layer of app.layers) {
    t.is((await fetch(`${server.url}/v2/team/ctr-copy/blobs/${layer.digest}`, { method: 'HEAD' })).status, 200);
  }
});
