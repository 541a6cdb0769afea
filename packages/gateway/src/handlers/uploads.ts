/**
 * Blob uploads. Each upload session maps to one ContentStore write ref; a
 * PATCH opens the write, appends the request body and closes it again (close,
 * not abort), so the next request, or the same upload after a restart,
 * resumes where the bytes stopped. The final PUT commits against the digest
 * the client names, and only then is the blob linked into the repository.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import { isDigestMismatch, isNotFound, isSizeMismatch, isUnavailable, type StrataError } from '@strata/errors';
import { isDigest } from '@strata/digest';
import type { BlobWriter } from '@strata/cas';
import { writeBlob } from '@strata/cas';
import { arrivedPieces } from '../request-body.ts';
import type { RequestContext } from '../context.ts';
import { RegistryError, registryErrorFrom } from '../errcode.ts';
import type { UploadSession } from '../metadata.ts';
import { isRepositoryName } from '../names.ts';
import { contentLength, digestOf, repositoryOf } from '../params.ts';
import { parseContentRange, uploadedRange } from '../ranges.ts';
import { sendEmpty } from '../respond.ts';

function uploadLocation(session: UploadSession): string {
  return `/v2/${session.repository}/blobs/uploads/${session.uuid}`;
}

function blobLocation(repository: string, digest: string): string {
  return `/v2/${repository}/blobs/${digest}`;
}

function progressHeaders(session: UploadSession, offset: number): Record<string, string> {
  return {
    location: uploadLocation(session),
    range: uploadedRange(offset),
    'docker-upload-uuid': session.uuid,
  };
}

/** `POST /v2/<name>/blobs/uploads/`: mount, monolithic upload, or a new session. */
export async function startUpload(context: RequestContext): Promise<void> {
  const repository = repositoryOf(context);
  const { metadata, store } = context.deps;

  const mount = context.query.get('mount');
  const from = context.query.get('from');
  if (mount !== null && from !== null && isDigest(mount) && isRepositoryName(from)) {
    const digest = digestOf(mount);
    // Only a blob the named repository links, and that the caller may pull
    // from there, can be mounted; anything else is a plain new session, so
    // the answer never tells whether the blob exists.
    const mounted = await context.deps.guard.shared([digest], async () => {
      if (!context.access.allows(from, 'pull') || !(await metadata.isBlobLinked(from, digest))) return false;
      const size = await sizeIfExists(context, digest);
      if (size === undefined) return false;
      await context.deps.quotas?.check(repository, [{ digest, size }]);
      await metadata.linkBlob(repository, digest);
      return true;
    });
    if (mounted) {
      sendEmpty(context.res, 201, { location: blobLocation(repository, digest), 'docker-content-digest': digest });
      return;
    }
  }

  const claimed = context.query.get('digest');
  if (claimed !== null) {
    const digest = digestOf(claimed);
    const started = Date.now();
    const release = await context.deps.guard.protect(digest);
    try {
      const result = await writeBlob(store, context.req, sizeExpected(context, digest), { signal: context.signal });
      await linkCommitted(context, repository, result);
    } finally {
      release();
    }
    context.deps.metrics.uploadDuration.observe((Date.now() - started) / 1000);
    sendEmpty(context.res, 201, { location: blobLocation(repository, digest), 'docker-content-digest': digest });
    return;
  }

  const uuid = randomUUID();
  const session: UploadSession = { uuid, repository, ref: `upload-${uuid}`, startedAt: Date.now(), offset: 0 };
  await metadata.putUpload(session);
  sendEmpty(context.res, 202, progressHeaders(session, 0));
}

async function sizeIfExists(context: RequestContext, digest: string): Promise<number | undefined> {
  try {
    return (await context.deps.store.stat(digest)).size;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Links a committed blob into the repository once its quotas allow it. The
 * caller holds the guard's protection of the digest from before the commit.
 */
async function linkCommitted(context: RequestContext, repository: string, committed: { digest: string; size: number }): Promise<void> {
  await context.deps.guard.shared([committed.digest], async () => {
    await context.deps.quotas?.check(repository, [committed]);
    await context.deps.metadata.linkBlob(repository, committed.digest);
  });
}

function sizeExpected(context: RequestContext, digest: string): { digest: string; size?: number } {
  const length = contentLength(context);
  return length === undefined || context.req.headers['transfer-encoding'] !== undefined ? { digest } : { digest, size: length };
}

/** The session named in the path, which must belong to the repository in the path. */
async function sessionOf(context: RequestContext): Promise<UploadSession> {
  const repository = repositoryOf(context);
  const uuid = context.params.uuid ?? '';
  const session = await context.deps.metadata.getUpload(uuid);
  if (!session || session.repository !== repository) {
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
  }
  return session;
}

/** A session whose bytes the store no longer has is over. */
async function lost(context: RequestContext, session: UploadSession): Promise<RegistryError> {
  await context.deps.store.abortIngest(session.ref);
  await context.deps.metadata.deleteUpload(session.uuid);
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid: session.uuid, reason: 'upload data lost' } });
}

/**
 * How long a request waits for the session's write while another request
 * still holds it: a request cut off (its client or its gateway gone) closes
 * the write once the store notices, which takes a moment with packs in
 * object storage (the close makes the bytes so far durable).
 */
const HELD_WRITE_WAIT_MS = 10_000;

/** Opens the session's write; it resumes at the offset where the last request closed it. */
async function openWrite(context: RequestContext, session: UploadSession): Promise<BlobWriter> {
  const deadline = Date.now() + HELD_WRITE_WAIT_MS;
  let writer: BlobWriter | undefined;
  for (let pause = 50; writer === undefined; pause = Math.min(2 * pause, 1000)) {
    try {
      writer = await context.deps.store.writer(session.ref);
    } catch (error) {
      const held = isUnavailable(error) && (error as StrataError).details['heldForMs'] !== undefined;
      if (!held || Date.now() + pause > deadline) throw error;
      await setTimeout(pause);
    }
  }
  if (writer.offset < session.offset) {
    await writer.abort();
    throw await lost(context, session);
  }
  return writer;
}

/**
 * Appends the request body when its Content-Range (if any) starts where the
 * upload stands: 416 with the current Range otherwise.
 */
async function appendBody(context: RequestContext, session: UploadSession, writer: BlobWriter): Promise<void> {
  const range = parseContentRange(context.req.headers['content-range']);
  if (range === 'invalid') throw new RegistryError('BLOB_UPLOAD_INVALID', { detail: { contentRange: context.req.headers['content-range'] } });
  if (range) {
    const length = contentLength(context);
    if (range.start !== writer.offset || (length !== undefined && length !== range.end - range.start + 1)) {
      throw new RegistryError('RANGE_INVALID', {
        detail: { offset: writer.offset },
        headers: progressHeaders(session, writer.offset),
      });
    }
  }
  for await (const piece of arrivedPieces(context.req)) await writer.write(piece);
}

/** Closes the write (so it can resume) and records where the upload stands, whatever happened before. */
async function settle(context: RequestContext, session: UploadSession, writer: BlobWriter, failure: unknown): Promise<void> {
  let error = failure;
  try {
    await writer.close();
  } catch (closeError) {
    error ??= closeError;
  }
  session.offset = writer.offset;
  session.updatedAt = Date.now();
  await context.deps.metadata.putUpload(session);
  if (error !== undefined) throw error;
}

/** `PATCH /v2/<name>/blobs/uploads/<uuid>`: one chunk, or the rest of a streamed upload. */
export async function patchUpload(context: RequestContext): Promise<void> {
  const session = await sessionOf(context);
  const writer = await openWrite(context, session);
  let failure: unknown;
  try {
    await appendBody(context, session, writer);
  } catch (error) {
    failure = error;
  }
  await settle(context, session, writer, failure);
  sendEmpty(context.res, 202, progressHeaders(session, session.offset));
}

/** `PUT /v2/<name>/blobs/uploads/<uuid>?digest=`: the last chunk (if any), then commit. */
export async function finishUpload(context: RequestContext): Promise<void> {
  const session = await sessionOf(context);
  const digest = digestOf(context.query.get('digest'));
  // Protected from before the commit: a collection must not delete the
  // digest between a commit that finds it present and the link.
  const release = await context.deps.guard.protect(digest);
  try {
    const writer = await openWrite(context, session);
    let committed: { digest: string; size: number } | undefined;
    try {
      await appendBody(context, session, writer);
      committed = await writer.commit({ digest });
    } catch (error) {
      if (isDigestMismatch(error) || isSizeMismatch(error)) {
        // A failed commit ends the store's transaction: the session ends with it.
        await context.deps.metadata.deleteUpload(session.uuid);
        throw registryErrorFrom(error);
      }
      await settle(context, session, writer, error);
    }
    if (!committed) return;
    // The store's transaction is over whether or not the quota allows the link.
    await context.deps.metadata.deleteUpload(session.uuid);
    await linkCommitted(context, session.repository, committed);
  } finally {
    release();
  }
  context.deps.metrics.uploadDuration.observe((Date.now() - session.startedAt) / 1000);
  sendEmpty(context.res, 201, {
    location: blobLocation(session.repository, digest),
    'docker-content-digest': digest,
  });
}

/** `GET /v2/<name>/blobs/uploads/<uuid>`: where the upload stands, to resume it. */
export async function uploadStatus(context: RequestContext): Promise<void> {
  const session = await sessionOf(context);
  let offset = session.offset;
  if (offset > 0) {
    try {
      offset = (await context.deps.store.status(session.ref)).offset;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      offset = 0;
    }
    if (offset < session.offset) throw await lost(context, session);
  }
  sendEmpty(context.res, 204, progressHeaders(session, offset));
}

/** `DELETE /v2/<name>/blobs/uploads/<uuid>`: cancels the upload and drops its bytes. */
export async function cancelUpload(context: RequestContext): Promise<void> {
  const session = await sessionOf(context);
  await context.deps.store.abortIngest(session.ref);
  await context.deps.metadata.deleteUpload(session.uuid);
  sendEmpty(context.res, 204);
}
