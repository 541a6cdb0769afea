import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { PgMetadata, parseMetadataUrl } from '@strata/gateway';
import { sharedPostgres, type PostgresServer } from '@strata/test-services';
import { sha256, strata, strataJson, tempDir } from './support.ts';

const BIN = fileURLToPath(new URL('../bin/strata.js', import.meta.url));

let postgres: PostgresServer | undefined;
test.before(async () => {
  postgres = await sharedPostgres();
});
test.after.always(() => postgres?.stop());

interface GcReport {
  dryRun: boolean;
  manifestsDeleted: number;
  blobsDeleted: number;
}

/** A `strata` daemon; resolves with what `pattern` captured from its output. Killed by PID when the test ends. */
async function daemon(t: ExecutionContext, args: string[], pattern: RegExp): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const scan = (piece: Buffer) => {
      output += piece.toString();
      const match = pattern.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', scan);
    child.stderr.on('data', scan);
    child.on('close', () => reject(new Error(`strata ${args[0]} exited: ${output}`)));
  });
}

async function pushBlob(url: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const response = await fetch(`${url}/v2/${repository}/blobs/uploads/?digest=${digest}`, { method: 'POST', body: bytes });
  if (response.status !== 201) throw new Error(`push answered ${response.status}`);
  return digest;
}

/** Pushes a one-layer image, under `reference` (a tag, or its own digest when undefined); answers the manifest's digest. */
async function pushImage(url: string, repository: string, reference?: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ seed: randomBytes(8).toString('hex') }));
  const layer = randomBytes(50_000);
  await pushBlob(url, repository, config);
  await pushBlob(url, repository, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    }),
  );
  const digest = sha256(manifest);
  const put = await fetch(`${url}/v2/${repository}/manifests/${reference ?? digest}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (put.status !== 201) throw new Error(`manifest push answered ${put.status}`);
  return digest;
}

async function manifestStatus(url: string, repository: string, reference: string): Promise<number> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  await response.arrayBuffer();
  return response.status;
}

test('strata gc --metadata --cas collects while two gateways serve: the dry run reports, the run deletes an untagged image, both gateways 404 it', async (t) => {
  const dir = await tempDir(t);
  const metadata = `${postgres!.url}?schema=cli_gc`;
  const cas = await daemon(t, ['cas', '--data', join(dir, 'cas'), '--listen', '127.0.0.1:0'], /listening on (\S+)/);
  const serve = (name: string) =>
    daemon(t, ['serve', '--data', join(dir, name), '--cas', cas, '--listen', '127.0.0.1:0', '--metadata', metadata], /serving (http:\/\/\S+)/);
  const a = await serve('a');
  const b = await serve('b');
  const tagged = await pushImage(a, 'team/app', 'v1');
  const untagged = await pushImage(b, 'team/app');
  const retention = join(dir, 'retention.yaml');
  await writeFile(retention, 'retention:\n  - prefix: team\n    untaggedAfter: "0"\n');
  const gc = ['gc', '--metadata', metadata, '--cas', cas, '--retention', retention, '--grace', '0'];

  const [dry] = await strataJson<GcReport>(t, [...gc, '--dry-run']);
  t.true(dry!.dryRun);
  t.is(dry!.manifestsDeleted, 1);
  // The manifest, its config and its layer.
  t.is(dry!.blobsDeleted, 3);
  for (const gateway of [a, b]) t.is(await manifestStatus(gateway, 'team/app', untagged), 200);

  const [run] = await strataJson<GcReport>(t, gc);
  t.false(run!.dryRun);
  t.is(run!.manifestsDeleted, 1);
  t.is(run!.blobsDeleted, 3);
  for (const gateway of [a, b]) {
    t.is(await manifestStatus(gateway, 'team/app', untagged), 404);
    t.is(await manifestStatus(gateway, 'team/app', 'v1'), 200);
    t.is(await manifestStatus(gateway, 'team/app', tagged), 200);
  }

  // While another collection holds the claim, strata gc fails and changes nothing.
  const held = await PgMetadata.open(parseMetadataUrl(metadata));
  const guard = held.createCollectionGuard({ recentMs: 0 });
  t.teardown(async () => {
    await guard.close();
    await held.close();
  });
  const release = await guard.claim();
  t.truthy(release);
  const refused = await strata(gc);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /another collection/);
  await release!();
  const text = await strata(gc);
  t.is(text.code, 0, text.stderr);
});

test('strata gc --metadata without --cas, or with a URL that is not postgresql://, is a usage error', async (t) => {
  t.is((await strata(['gc', '--metadata', `${postgres!.url}?schema=cli_gc_usage`])).code, 2);
  t.is((await strata(['gc', '--metadata', 'mysql://x@127.0.0.1:1/db', '--cas', '127.0.0.1:1'])).code, 2);
});
