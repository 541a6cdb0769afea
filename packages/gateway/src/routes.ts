/**
 * Every route of the gateway, named, in one table. A repository name may
 * hold slashes; the dispatcher passes it as one encoded segment (see
 * names.ts), so `:name` matches it whole.
 */
import type { RouteAccess } from './auth.ts';
import type { Handler } from './context.ts';
import type { OciErrorCode } from './errcode.ts';
import { getBase } from './handlers/base.ts';
import { deleteBlob, getBlob, headBlob } from './handlers/blobs.ts';
import { listRepositories } from './handlers/catalog.ts';
import { healthz, metrics, readyz } from './handlers/health.ts';
import { deleteManifest, getManifest, headManifest, putManifest } from './handlers/manifests.ts';
import { listReferrers } from './handlers/referrers.ts';
import { listTags } from './handlers/tags.ts';
import { getToken, postToken } from './handlers/token.ts';
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
  /** What a caller needs to reach the route when auth is on. */
  access: RouteAccess;
}

export const ROUTES: readonly Route[] = [
  { name: 'base', method: 'GET', path: '/v2/', handler: getBase, notFound: 'NAME_UNKNOWN', access: 'signed-in' },
  { name: 'base', method: 'HEAD', path: '/v2/', handler: getBase, notFound: 'NAME_UNKNOWN', access: 'signed-in' },
  { name: 'catalog', method: 'GET', path: '/v2/_catalog', handler: listRepositories, notFound: 'NAME_UNKNOWN', access: 'catalog' },
  { name: 'blob', method: 'HEAD', path: '/v2/:name/blobs/:digest', handler: headBlob, notFound: 'BLOB_UNKNOWN', access: 'pull' },
  { name: 'blob', method: 'GET', path: '/v2/:name/blobs/:digest', handler: getBlob, notFound: 'BLOB_UNKNOWN', access: 'pull' },
  { name: 'blob', method: 'DELETE', path: '/v2/:name/blobs/:digest', handler: deleteBlob, notFound: 'BLOB_UNKNOWN', access: 'delete' },
  { name: 'upload.start', method: 'POST', path: '/v2/:name/blobs/uploads/', handler: startUpload, notFound: 'BLOB_UNKNOWN', access: 'push' },
  { name: 'upload', method: 'GET', path: '/v2/:name/blobs/uploads/:uuid', handler: uploadStatus, notFound: 'BLOB_UPLOAD_UNKNOWN', access: 'push' },
  { name: 'upload', method: 'PATCH', path: '/v2/:name/blobs/uploads/:uuid', handler: patchUpload, notFound: 'BLOB_UPLOAD_UNKNOWN', access: 'push' },
  { name: 'upload', method: 'PUT', path: '/v2/:name/blobs/uploads/:uuid', handler: finishUpload, notFound: 'BLOB_UPLOAD_UNKNOWN', access: 'push' },
  { name: 'upload', method: 'DELETE', path: '/v2/:name/blobs/uploads/:uuid', handler: cancelUpload, notFound: 'BLOB_UPLOAD_UNKNOWN', access: 'push' },
  { name: 'manifest', method: 'HEAD', path: '/v2/:name/manifests/:reference', handler: headManifest, notFound: 'MANIFEST_UNKNOWN', access: 'pull' },
  { name: 'manifest', method: 'GET', path: '/v2/:name/manifests/:reference', handler: getManifest, notFound: 'MANIFEST_UNKNOWN', access: 'pull' },
  { name: 'manifest', method: 'PUT', path: '/v2/:name/manifests/:reference', handler: putManifest, notFound: 'MANIFEST_BLOB_UNKNOWN', access: 'push' },
  { name: 'manifest', method: 'DELETE', path: '/v2/:name/manifests/:reference', handler: deleteManifest, notFound: 'MANIFEST_UNKNOWN', access: 'delete' },
  { name: 'tags', method: 'GET', path: '/v2/:name/tags/list', handler: listTags, notFound: 'NAME_UNKNOWN', access: 'pull' },
  { name: 'referrers', method: 'GET', path: '/v2/:name/referrers/:digest', handler: listReferrers, notFound: 'MANIFEST_UNKNOWN', access: 'pull' },
  { name: 'token', method: 'GET', path: '/token', handler: getToken, notFound: 'NAME_UNKNOWN', access: 'open' },
  { name: 'token', method: 'POST', path: '/token', handler: postToken, notFound: 'NAME_UNKNOWN', access: 'open' },
  { name: 'healthz', method: 'GET', path: '/healthz', handler: healthz, notFound: 'NAME_UNKNOWN', access: 'open' },
  { name: 'readyz', method: 'GET', path: '/readyz', handler: readyz, notFound: 'NAME_UNKNOWN', access: 'open' },
  { name: 'metrics', method: 'GET', path: '/metrics', handler: metrics, notFound: 'NAME_UNKNOWN', access: 'open' },
];
