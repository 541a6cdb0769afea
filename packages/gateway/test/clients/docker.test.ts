import { DOCKER_MANIFEST } from '@strata/gateway';
import { buildContext } from './support/images.ts';
import { DockerDaemon } from './support/docker.ts';
import { requireTools } from './support/processes.ts';
import { forEachServer } from './support/suite.ts';

const APP_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /srv && /bin/busybox echo built-in-a-container > /srv/stamp"]
COPY greeting /greeting
`;

forEachServer('docker builds, pushes to strata, pulls on a clean daemon and runs the image', async (t, { server, workspace }) => {
  await requireTools(t, 'dockerd', 'docker', 'unshare', 'busybox');
  const context = await buildContext(workspace, 'context', APP_DOCKERFILE, { greeting: 'hello from strata\n' });
  const image = `${server.host}/team/docker-app:v1`;
  const builder = await DockerDaemon.start(t, workspace, 'docker-builder');
  await builder.docker(['build', '--network=none', '--tag', image, context]);
  await builder.docker(['push', image]);

  const manifest = await fetch(`${server.url}/v2/team/docker-app/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
  t.is(manifest.status, 200);
  t.is(manifest.headers.get('content-type'), DOCKER_MANIFEST);
  const { layers } = (await manifest.json()) as { layers: unknown[] };
  t.is(layers.length, 3);

  const runner = await DockerDaemon.start(t, workspace, 'docker-runner');
  const pull = await runner.docker(['pull', image]);
  t.regex(pull.output, /Downloaded newer image/);
  const greeting = await runner.docker(['run', '--rm', '--network=none', image, 'busybox', 'cat', '/greeting', '/srv/stamp']);
  t.is(greeting.stdout, 'hello from strata\nbuilt-in-a-container\n');
});

forEachServer('docker BuildKit inline cache pushed to strata is reused through --cache-from on a clean daemon', async (t, { server, workspace }) => {
  await requireTools(t, 'dockerd', 'docker', 'unshare', 'busybox');
  const context = await buildContext(workspace, 'context', APP_DOCKERFILE, { greeting: 'cached\n' });
  const image = `${server.host}/team/buildkit-app:v1`;
  const first = await DockerDaemon.start(t, workspace, 'docker-first');
  const build = await first.docker(['build', '--progress=plain', '--network=none', '--build-arg', 'BUILDKIT_INLINE_CACHE=1', '--tag', image, context], { buildkit: true });
  t.regex(build.output, /exporting cache/);
  await first.docker(['push', image]);

  const clean = await DockerDaemon.start(t, workspace, 'docker-clean');
  const rebuild = await clean.docker(['build', '--progress=plain', '--network=none', '--cache-from', image, '--tag', 'rebuilt:latest', context], {
    buildkit: true,
  });
  t.regex(rebuild.output, new RegExp(`importing cache manifest from ${image.replaceAll('.', '\\.')}`));
  // Every Dockerfile step (#N [i/3] ...) is answered from the cache (#N CACHED).
  const steps = [...rebuild.output.matchAll(/^#(\d+) \[\d+\/3\]/gm)].map((match) => match[1]);
  t.is(new Set(steps).size, 3, rebuild.output);
  for (const step of steps) t.regex(rebuild.output, new RegExp(`^#${step} CACHED$`, 'm'));
  const stamp = await clean.docker(['run', '--rm', '--network=none', 'rebuilt:latest', 'busybox', 'cat', '/srv/stamp']);
  t.is(stamp.stdout, 'built-in-a-container\n');
});
