import { digestBytes, parseDigest } from '@strata/digest';
import { readBytes, writeBlob } from '@strata/cas';
import type { RequestContext } from '../context.ts';
import { RegistryError } from '../errcode.ts';
import { MAX_MANIFEST_BYTES, parseManifest } from '../manifest.ts';
import type { ManifestRecord } from '../metadata.ts';
import { parseReference } from '../names.ts';
import { contentLength, digestOf, repositoryOf } from '../params.ts';
import { sendEmpty } from '../respond.ts';

function tooLarge(): RegistryError {
  return new RegistryError('MANIFEST_INVALID', { status: 413, detail: { limit: MAX_MANIFEST_BYTES } });
}

/** The request body, refused past `limit` bytes without reading further. */
async function readCapped(context: RequestContext, limit: number): Promise<Buffer> {
  const declared = contentLength(context);
  if (declared !== undefined && declared > limit) throw tooLarge();
  const pieces: Buffer[] = [];
  let total = 0;
  for await (const piece of context.req) {
    total += (piece as Buffer).length;
    if (total > limit) throw tooLarge();
    pieces.push(piece as Buffer);
  }
  return Buffer.concat(pieces);
}

/** The manifest a reference names in a repository. */
async function resolve(context: RequestContext): Promise<{ repository: string; record: ManifestRecord }> {
  const repository = repositoryOf(context);
  const reference = parseReference(context.params.reference ?? '');
  let digest: string | undefined;
  if (reference.kind === 'tag') digest = await context.deps.metadata.resolveTag(repository, reference.tag);
  else if (reference.kind === 'digest') digest = digestOf(reference.digest);
  const record = digest === undefined ? undefined : await context.deps.metadata.getManifest(repository, digest);
  if (!record) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { reference: context.params.reference } });
  return { repository, record };
}

function manifestHeaders(record: ManifestRecord): Record<string, string | number> {
  return {
    'content-type': record.mediaType,
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
    'content-length': record.size,
  };
}

/** `HEAD /v2/<name>/manifests/<reference>` */
export async function headManifest(context: RequestContext): Promise<void> {
  const { record } = await resolve(context);
  context.res.writeHead(200, manifestHeaders(record));
  context.res.end();
}

/** `GET /v2/<name>/manifests/<reference>` */
export async function getManifest(context: RequestContext): Promise<void> {
  const { repository, record } = await resolve(context);
  context.deps.pulls.note(repository, record.digest);
  const bytes = await readBytes(context.deps.store, record.digest, MAX_MANIFEST_BYTES);
  context.res.writeHead(200, { ...manifestHeaders(record), 'content-length': bytes.length });
  context.res.end(bytes);
}

/**
 * `PUT /v2/<name>/manifests/<reference>`: validates the manifest, checks
 * that what it references is in the repository, stores it as a blob and
 * records it (and the tag, and its subject's referrers list).
 */
export async function putManifest(context: RequestContext): Promise<void> {
  const repository = repositoryOf(context);
  const reference = parseReference(context.params.reference ?? '');
  if (reference.kind === 'invalid') {
    throw new RegistryError('MANIFEST_INVALID', { detail: { reference: context.params.reference } });
  }
  const bytes = await readCapped(context, MAX_MANIFEST_BYTES);
  const manifest = parseManifest(bytes, context.req.headers['content-type']);
  const algorithm = reference.kind === 'digest' ? parseDigest(reference.digest).algorithm : 'sha256';
  const digest = digestBytes(bytes, algorithm);
  if (reference.kind === 'digest' && digestOf(reference.digest) !== digest) {
    throw new RegistryError('DIGEST_INVALID', { detail: { reference: reference.digest, digest } });
  }

  const { metadata, store, guard, quotas } = context.deps;
  const blobs = [...new Set(manifest.blobs)];
  const children = [...new Set(manifest.manifests)];
  // Under the guard, so that garbage collection cannot delete a blob
  // between the checks and the record: it either ran before (the checks
  // fail) or sees the manifest's references as touched.
  await guard.shared([digest, ...blobs, ...children], async () => {
    for (const blob of blobs) {
      if (!(await metadata.isBlobLinked(repository, blob))) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: blob } });
      }
    }
    // A link can outlive its blob in a store shared with other registries, or after damage.
    const [missing] = await store.findMissing(blobs);
    if (missing !== undefined) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: missing } });
    for (const child of children) {
      if (!(await metadata.getManifest(repository, child))) {
        throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: child } });
      }
    }
    await quotas?.check(repository, [{ digest, size: bytes.length }]);

    await writeBlob(store, [bytes], { digest, size: bytes.length }, { signal: context.signal });
    const record: ManifestRecord = { digest, mediaType: manifest.mediaType, size: bytes.length, pushedAt: Date.now(), references: [...blobs, ...children] };
    if (manifest.subject) record.subject = manifest.subject.digest;
    if (manifest.artifactType !== undefined) record.artifactType = manifest.artifactType;
    if (manifest.annotations !== undefined) record.annotations = manifest.annotations;
    // Linked as a blob too, so `GET /v2/<name>/blobs/<digest>` serves a manifest as distribution does.
    await metadata.linkBlob(repository, digest);
    await metadata.putManifest(repository, record, reference.kind === 'tag' ? reference.tag : undefined);
  });
  context.deps.onPush();

  const headers: Record<string, string> = {
    location: `/v2/${repository}/manifests/${digest}`,
    'docker-content-digest': digest,
  };
  if (manifest.subject) headers['oci-subject'] = manifest.subject.digest;
  sendEmpty(context.res, 201, headers);
}

/** `DELETE /v2/<name>/manifests/<reference>`: a tag, or a manifest with every tag on it. */
export async function deleteManifest(context: RequestContext): Promise<void> {
  if (!context.deps.settings.deletesEnabled) throw new RegistryError('UNSUPPORTED', { detail: 'deletes are disabled' });
  const repository = repositoryOf(context);
  const reference = parseReference(context.params.reference ?? '');
  const { metadata } = context.deps;
  let deleted = false;
  if (reference.kind === 'tag') {
    deleted = await metadata.deleteTag(repository, reference.tag);
  } else if (reference.kind === 'digest') {
    const digest = digestOf(reference.digest);
    deleted = await metadata.deleteManifest(repository, digest);
    if (deleted) await metadata.unlinkBlob(repository, digest);
  }
  if (!deleted) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { reference: context.params.reference } });
  sendEmpty(context.res, 202);
}

