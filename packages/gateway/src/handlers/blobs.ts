import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../context.ts';
import { RegistryError } from '../errcode.ts';
import { digestOf, repositoryOf } from '../params.ts';
import { parseRange } from '../ranges.ts';
import { sendEmpty } from '../respond.ts';

/** A blob is visible in a repository only when the repository links it. */
async function linkedBlob(context: RequestContext): Promise<{ repository: string; digest: string; size: number }> {
  const repository = repositoryOf(context);
  const digest = digestOf(context.params.digest);
  if (!(await context.deps.metadata.isBlobLinked(repository, digest))) {
    throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
  }
  const stat = await context.deps.store.stat(digest);
  return { repository, digest, size: stat.size };
}

function blobHeaders(digest: string): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
    // A digest names its bytes forever.
    'cache-control': 'max-age=31536000',
  };
}

/**
 * `HEAD /v2/<name>/blobs/<digest>`. A client that finds the blob here skips
 * its upload and pushes the manifest next: the check refreshes the link, so
 * garbage collection keeps the blob for its grace period.
 */
export async function headBlob(context: RequestContext): Promise<void> {
  const repository = repositoryOf(context);
  const digest = digestOf(context.params.digest);
  const { size } = await context.deps.guard.shared([digest], async () => {
    const found = await linkedBlob(context);
    await context.deps.metadata.linkBlob(repository, digest);
    return found;
  });
  context.res.writeHead(200, { ...blobHeaders(digest), 'content-length': size });
  context.res.end();
}

/** `GET /v2/<name>/blobs/<digest>`, whole or one `Range`; streamed from the store. */
export async function getBlob(context: RequestContext): Promise<void> {
  const { digest, size } = await linkedBlob(context);
  const range = parseRange(context.req.headers.range, size);
  if (range === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', { detail: { size }, headers: { 'content-range': `bytes */${size}` } });
  }
  const read = await context.deps.store.read(digest, { ...range, signal: context.signal });
  const headers: Record<string, string | number> = { ...blobHeaders(digest), 'content-length': read.length };
  if (range) headers['content-range'] = `bytes ${read.offset}-${read.offset + read.length - 1}/${size}`;
  context.res.writeHead(range ? 206 : 200, headers);
  await pipeline(read.body, context.res);
}

/** `DELETE /v2/<name>/blobs/<digest>`: unlinks the blob from the repository. */
export async function deleteBlob(context: RequestContext): Promise<void> {
  if (!context.deps.settings.deletesEnabled) throw new RegistryError('UNSUPPORTED', { detail: 'deletes are disabled' });
  const repository = repositoryOf(context);
  const digest = digestOf(context.params.digest);
  if (!(await context.deps.metadata.unlinkBlob(repository, digest))) {
    throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
  }
  sendEmpty(context.res, 202);
}
