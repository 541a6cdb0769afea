/**
 * Every route of the gateway, named, in one table. A repository name may
 * hold slashes; the dispatcher passes it as one encoded segment (see
 * names.ts), so `:name` matches it whole.
 */
import type { Handler } from './context.ts';
import type { OciErrorCode } from './errcode.ts';
import { getBase } from './handlers/base.ts';
import { deleteBlob, getBlob, headBlob } from './handlers/blobs.ts';
import { listRepositories } from './handlers/catalog.ts';
import { healthz, metrics, readyz } from './handlers/health.ts';
import { deleteManifest, getManifest, headManifest, putManifest } from './handlers/manifests.ts';
import { listReferrers } from './handlers/referrers.ts';
import { listTags } from './handlers/tags.ts';
import { cancelUpload, finishUpload, patchUpload, startUpload, uploadStatus } from './handlers/uploads.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  /** The route's name in logs and metrics. */
  name: string;
  method: Method;
  path: string;
  handler: Handler;
  /** What a NotFound from the store means on this route. */
  notFound: OciErrorCode;
}

export const ROUTES: readonly Route[] = [
  { name: 'base', method: 'GET', path: '/v2/', handler: getBase, notFound: 'NAME_UNKNOWN' },
  { name: 'base', method: 'HEAD', path: '/v2/', handler: getBase, notFound: 'NAME_UNKNOWN' },
  { name: 'catalog', method: 'GET', path: '/v2/_catalog', handler: listRepositories, notFound: 'NAME_UNKNOWN' },
  { name: 'blob', method: 'HEAD', path: '/v2/:name/blobs/:digest', handler: headBlob, notFound: 'BLOB_UNKNOWN' },
  { name: 'blob', method: 'GET', path: '/v2/:name/blobs/:digest', handler: getBlob, notFound: 'BLOB_UNKNOWN' },
  { name: 'blob', method: 'DELETE', path: '/v2/:name/blobs/:digest', handler: deleteBlob, notFound: 'BLOB_UNKNOWN' },
  { name: 'upload.start', method: 'POST', path: '/v2/:name/blobs/uploads/', handler: startUpload, notFound: 'BLOB_UNKNOWN' },
  { name: 'upload', method: 'GET', path: '/v2/:name/blobs/uploads/:uuid', handler: uploadStatus, notFound: 'BLOB_UPLOAD_UNKNOWN' },
  { name: 'upload', method: 'PATCH', path: '/v2/:name/blobs/uploads/:uuid', handler: patchUpload, notFound: 'BLOB_UPLOAD_UNKNOWN' },
  { name: 'upload', method: 'PUT', path: '/v2/:name/blobs/uploads/:uuid', handler: finishUpload, notFound: 'BLOB_UPLOAD_UNKNOWN' },
  { name: 'upload', method: 'DELETE', path: '/v2/:name/blobs/uploads/:uuid', handler: cancelUpload, notFound: 'BLOB_UPLOAD_UNKNOWN' },
  { name: 'manifest', method: 'HEAD', path: '/v2/:name/manifests/:reference', handler: headManifest, notFound: 'MANIFEST_UNKNOWN' },
  { name: 'manifest', method: 'GET', path: '/v2/:name/manifests/:reference', handler: getManifest, notFound: 'MANIFEST_UNKNOWN' },
  { name: 'manifest', method: 'PUT', path: '/v2/:name/manifests/:reference', handler: putManifest, notFound: 'MANIFEST_BLOB_UNKNOWN' },
  { name: 'manifest', method: 'DELETE', path: '/v2/:name/manifests/:reference', handler: deleteManifest, notFound: 'MANIFEST_UNKNOWN' },
  { name: 'tags', method: 'GET', path: '/v2/:name/tags/list', handler: listTags, notFound: 'NAME_UNKNOWN' },
  { name: 'referrers', method: 'GET', path: '/v2/:name/referrers/:digest', handler: listReferrers, notFound: 'MANIFEST_UNKNOWN' },
  { name: 'healthz', method: 'GET', path: '/healthz', handler: healthz, notFound: 'NAME_UNKNOWN' },
  { name: 'readyz', method: 'GET', path: '/readyz', handler: readyz, notFound: 'NAME_UNKNOWN' },
  { name: 'metrics', method: 'GET', path: '/metrics', handler: metrics, notFound: 'NAME_UNKNOWN' },
];
