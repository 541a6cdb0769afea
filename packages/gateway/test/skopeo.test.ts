import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { randomBlob, sha256, startEngineRegistry, tempDir } from './support.ts';

const run = promisify(execFile);

/** Writes an OCI image layout holding one image of `layerSizes` random gzip layers, tagged `tag`. */
async function writeLayout(dir: string, tag: string, layerSizes: number[]): Promise<{ manifestDigest: string; blobs: string[] }> {
  const blobsDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  const put = async (bytes: Buffer): Promise<string> => {
    const digest = sha256(bytes);
    await writeFile(join(blobsDir, digest.slice('sha256:'.length)), bytes);
    return digest;
  };
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const size of layerSizes) {
    const raw = randomBlob(size).bytes;
    const gz = gzipSync(raw);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await put(gz), size: gz.length });
    diffIds.push(sha256(raw));
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
  const configDigest = await put(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers,
  }));
  const manifestDigest = await put(manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: manifestDigest,
      size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    }],
  }));
  return { manifestDigest, blobs: [configDigest, ...layers.map((layer) => layer.digest)] };
}

test('skopeo copies an image from an OCI layout into strata and back, digests unchanged', async (t) => {
  const registry = await startEngineRegistry(t);
  const work = await tempDir(t);
  const source = join(work, 'source');
  const pulled = join(work, 'pulled');
  const image = await writeLayout(source, 'v1', [300_000, 1_200_000, 50_000]);
  const host = new URL(registry.url).host;

  // skopeo's own settings, isolated from the machine's.
  const policy = join(work, 'policy.json');
  await writeFile(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const registriesConf = join(work, 'registries.conf');
  await writeFile(registriesConf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
  const skopeo = (...args: string[]) =>
    run('skopeo', ['--policy', policy, '--registries-conf', registriesConf, '--tmpdir', work, ...args], {
      env: { ...process.env, CONTAINERS_REGISTRIES_CONF: registriesConf, HOME: work },
      timeout: 120_000,
    });

  await skopeo('copy', '--dest-tls-verify=false', `oci:${source}:v1`, `docker://${host}/team/app:v1`);
  const head = await fetch(`${registry.url}/v2/team/app/manifests/v1`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('docker-content-digest'), image.manifestDigest);

  await skopeo('copy', '--src-tls-verify=false', `docker://${host}/team/app:v1`, `oci:${pulled}:v1`);
  const index = JSON.parse(await readFile(join(pulled, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  t.deepEqual(index.manifests.map((m) => m.digest), [image.manifestDigest]);
  const pulledBlobs = (await readdir(join(pulled, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`);
  for (const digest of [...image.blobs, image.manifestDigest]) {
    t.true(pulledBlobs.includes(digest), digest);
    const bytes = await readFile(join(pulled, 'blobs', 'sha256', digest.slice('sha256:'.length)));
    t.is(sha256(bytes), digest);
  }
});
