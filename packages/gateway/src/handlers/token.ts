/**
 * `/token`: docker's token service. GET with optional basic credentials and
 * `scope` parameters is what podman, skopeo, buildah, containerd and docker
 * send; POST is the OAuth2 form (`grant_type=password` or
 * `refresh_token`) docker uses once it holds a refresh token.
 */
import type { RegistryAuth, TokenRequest } from '../auth.ts';
import { credentialsOf } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import { RegistryError } from '../errcode.ts';
import { sendJson } from '../respond.ts';
import { scopesOf } from '../scopes.ts';

/** A token form is a few hundred bytes; anything much larger is not one. */
const MAX_FORM_BYTES = 64 * 1024;

function authOf(context: RequestContext): RegistryAuth {
  const auth = context.deps.auth;
  if (!auth) throw new RegistryError('UNSUPPORTED', { status: 404, detail: { reason: 'this registry runs without auth' } });
  return auth;
}

function sendToken(context: RequestContext, answer: object): void {
  sendJson(context.res, 200, answer, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** `GET /token?service=&scope=...&offline_token=`: anonymous, or signed in with HTTP basic. */
export async function getToken(context: RequestContext): Promise<void> {
  const auth = authOf(context);
  const request: TokenRequest = {
    scopes: scopesOf(context.query.getAll('scope')),
    offline: context.query.get('offline_token') === 'true',
  };
  const credentials = credentialsOf(context.req.headers.authorization);
  if (credentials.kind === 'basic') request.password = { user: credentials.user, password: credentials.password };
  else if (credentials.kind === 'invalid') throw new RegistryError('UNAUTHORIZED', { detail: { reason: 'unreadable Authorization header' } });
  sendToken(context, await auth.issueToken(context.req, request));
}

/** `POST /token` with an `application/x-www-form-urlencoded` body. */
export async function postToken(context: RequestContext): Promise<void> {
  const auth = authOf(context);
  const form = await readForm(context);
  const request: TokenRequest = {
    scopes: scopesOf(form.getAll('scope')),
    offline: form.get('access_type') === 'offline',
  };
  const grant = form.get('grant_type');
  if (grant === 'password') {
    request.password = { user: form.get('username') ?? '', password: form.get('password') ?? '' };
  } else if (grant === 'refresh_token') {
    request.refreshToken = form.get('refresh_token') ?? '';
  } else {
    throw new RegistryError('UNSUPPORTED', { status: 400, detail: { grant_type: grant } });
  }
  sendToken(context, await auth.issueToken(context.req, request));
}

async function readForm(context: RequestContext): Promise<URLSearchParams> {
  const type = context.req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new RegistryError('UNSUPPORTED', { status: 400, detail: { contentType: type } });
  }
  const pieces: Buffer[] = [];
  let total = 0;
  for await (const piece of context.req) {
    total += (piece as Buffer).length;
    if (total > MAX_FORM_BYTES) throw new RegistryError('UNSUPPORTED', { status: 413, detail: { limit: MAX_FORM_BYTES } });
    pieces.push(piece as Buffer);
  }
  return new URLSearchParams(Buffer.concat(pieces).toString('utf8'));
}
