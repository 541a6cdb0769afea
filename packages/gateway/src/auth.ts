/**
 * Registry authentication and authorization, as docker's token auth has it:
 * a request without credentials (or with a bad token) gets 401 and a
 * `WWW-Authenticate: Bearer realm=…,service=…,scope=…` challenge; the client
 * takes it to /token, signing in with HTTP basic or not at all, and comes
 * back with a short-lived JWT whose `access` claim is the requested scope cut
 * down to what the rules allow. HTTP basic credentials are also accepted on
 * the API itself (curl -u), checked against the same rules. A signed-in
 * user lacking an action gets 403 DENIED; someone not signed in gets the
 * challenge again, since signing in may help. A request without
 * credentials goes through where the rules let anonymous users do what it
 * does, so plain curl pulls from public repositories.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isUnauthenticated } from '@strata/errors';
import { loadAuthFile, type Action, type AuthConfig } from './auth-file.ts';
import { AccessPolicy } from './access-policy.ts';
import { RegistryError } from './errcode.ts';
import { LoginLimiter, type LoginLimits } from './login-limiter.ts';
import { CATALOG_SCOPE, formatScope, grants, type AccessEntry } from './scopes.ts';
import { TokenIssuer } from './tokens.ts';

/** What a route requires: nothing, any signed-in caller (the /v2/ check), the catalog, or an action on the repository in its path. */
export type RouteAccess = 'open' | 'signed-in' | 'catalog' | Action;

/** What one request may do, as its credentials and the rules decided. */
export interface RequestAccess {
  /** The signed-in user; undefined when anonymous. */
  user: string | undefined;
  /** True when the gateway runs without auth: everything is allowed and nothing needs filtering. */
  unrestricted: boolean;
  allows(repository: string, action: Action): boolean;
  /** Whether the catalog shows the repository: the rules let the caller pull from it (whatever this token was granted). */
  lists(repository: string): boolean;
}

/** Access without auth configured: everyone may do everything. */
export const UNRESTRICTED: RequestAccess = { user: undefined, unrestricted: true, allows: () => true, lists: () => true };

export interface RegistryAuthOptions {
  config: AuthConfig;
  /** The HMAC key tokens are signed with (see loadOrCreateTokenKey). */
  tokenKey: Uint8Array;
  /** Read again by reload(). */
  file?: string;
  /** The challenge's `service`, each token's audience; "strata" by default. */
  service?: string;
  /** Where clients fetch tokens; `http://HOST/token` from the request's Host header by default. */
  realm?: string;
  /** Access token lifetime; 300 s by default. */
  tokenTtlSeconds?: number;
  /** Refresh token lifetime; 30 days by default. */
  refreshTtlSeconds?: number;
  loginLimits?: LoginLimits;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

/** A token request, from GET /token (basic credentials) or POST /token (OAuth2 form). */
export interface TokenRequest {
  /** Signing in with a password; neither this nor `refreshToken` means anonymous. */
  password?: { user: string; password: string };
  refreshToken?: string;
  scopes: AccessEntry[];
  /** A refresh token is wanted as well (`offline_token=true`, `access_type=offline`). */
  offline: boolean;
}

export interface TokenAnswer {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  refresh_token?: string;
  scope?: string;
}

/** How long a checked basic credential is taken as good without hashing it again (curl -u pulls many blobs). */
const BASIC_CACHE_MS = 60_000;
const BASIC_CACHE_MAX = 1024;

export class RegistryAuth {
  readonly #file: string | undefined;
  readonly #tokens: TokenIssuer;
  readonly #limiter: LoginLimiter;
  readonly #realm: string | undefined;
  readonly #tokenTtl: number;
  readonly #refreshTtl: number;
  readonly #now: () => number;
  readonly #cacheKey = randomBytes(32);
  #policy: AccessPolicy;
  #verified = new Map<string, number>();

  constructor(options: RegistryAuthOptions) {
    this.#file = options.file;
    this.#policy = new AccessPolicy(options.config);
    this.#now = options.now ?? Date.now;
    this.#tokens = new TokenIssuer({ key: options.tokenKey, service: options.service ?? 'strata', now: this.#now });
    this.#limiter = new LoginLimiter(options.loginLimits);
    this.#realm = options.realm;
    this.#tokenTtl = options.tokenTtlSeconds ?? 300;
    this.#refreshTtl = options.refreshTtlSeconds ?? 30 * 24 * 3600;
  }

  get policy(): AccessPolicy {
    return this.#policy;
  }

  /** Reads the auth file again (after `strata user add`, or an edit of the rules); a bad file leaves the old rules in force. */
  async reload(): Promise<void> {
    if (this.#file === undefined) return;
    this.#policy = new AccessPolicy(await loadAuthFile(this.#file));
    this.#verified = new Map();
  }

  /**
   * What the request may do, or the RegistryError to answer when it may not
   * reach the route at all (401 with the challenge, 403, 429).
   */
  async authorize(req: IncomingMessage, need: RouteAccess, repository: string | undefined): Promise<RequestAccess> {
    if (need === 'open') return UNRESTRICTED;
    const credentials = credentialsOf(req.headers.authorization);
    const scope = challengeScope(need, repository);
    let access: RequestAccess;
    let signedIn: boolean;
    if (credentials.kind === 'bearer') {
      let claims;
      try {
        claims = await this.#tokens.verifyAccess(credentials.token);
      } catch (error) {
        if (!isUnauthenticated(error)) throw error;
        throw this.#challenge(req, scope, 'invalid_token');
      }
      const granted = claims.access;
      const user = claims.subject;
      const policy = this.#policy;
      signedIn = user !== undefined;
      access = {
        user,
        unrestricted: false,
        allows: (name, action) => grants(granted, 'repository', name, action),
        lists: (name) => policy.actionsFor(user, name).has('pull'),
      };
      if (need === 'catalog' && !grants(granted, CATALOG_SCOPE.type, CATALOG_SCOPE.name, '*')) throw this.#refuse(req, scope, signedIn);
    } else if (credentials.kind === 'basic') {
      await this.#checkBasic(req, credentials.user, credentials.password, () => this.#challenge(req, scope));
      const policy = this.#policy;
      const user = credentials.user;
      signedIn = true;
      const allows = (name: string, action: Action): boolean => policy.actionsFor(user, name).has(action);
      access = { user, unrestricted: false, allows, lists: (name) => allows(name, 'pull') };
    } else if (credentials.kind === 'none') {
      const policy = this.#policy;
      signedIn = false;
      const allows = (name: string, action: Action): boolean => policy.actionsFor(undefined, name).has(action);
      access = { user: undefined, unrestricted: false, allows, lists: (name) => allows(name, 'pull') };
      // Clients learn that the registry wants tokens from the /v2/ check, and the catalog is only read with a token.
      if (need === 'signed-in' || need === 'catalog') throw this.#challenge(req, scope);
    } else {
      throw this.#challenge(req, scope, 'invalid_request');
    }
    if (need !== 'signed-in' && need !== 'catalog' && !access.allows(repository ?? '', need)) throw this.#refuse(req, scope, signedIn);
    return access;
  }

  /** The answer of /token: an access token for what the rules grant of the scopes asked for. */
  async issueToken(req: IncomingMessage, request: TokenRequest): Promise<TokenAnswer> {
    let user: string | undefined;
    if (request.refreshToken !== undefined) {
      try {
        user = await this.#tokens.verifyRefresh(request.refreshToken, (name) => this.#policy.passwordHashOf(name));
      } catch (error) {
        if (!isUnauthenticated(error)) throw error;
        throw new RegistryError('UNAUTHORIZED', { detail: { reason: 'invalid refresh token' } });
      }
    } else if (request.password) {
      const { user: name, password } = request.password;
      await this.#login(req, name, password, () => new RegistryError('UNAUTHORIZED', { headers: { 'www-authenticate': `Basic realm="${this.#tokens.service}"` } }));
      user = name;
    }
    const granted = this.#policy.grant(user, request.scopes);
    const issued = await this.#tokens.issueAccess(user, granted, this.#tokenTtl);
    const answer: TokenAnswer = {
      token: issued.token,
      access_token: issued.token,
      expires_in: issued.expiresIn,
      issued_at: issued.issuedAt.toISOString(),
    };
    if (granted.length > 0) answer.scope = granted.map(formatScope).join(' ');
    const hash = user === undefined ? undefined : this.#policy.passwordHashOf(user);
    if (request.offline && user !== undefined && hash !== undefined) {
      answer.refresh_token = (await this.#tokens.issueRefresh(user, hash, this.#refreshTtl)).token;
    }
    return answer;
  }

  /** A password check behind the failed-login limits; `refusal` builds the 401. */
  async #login(req: IncomingMessage, user: string, password: string, refusal: () => RegistryError): Promise<void> {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = await this.#limiter.blockedFor(user, address);
    if (wait !== undefined) {
      throw new RegistryError('TOOMANYREQUESTS', { headers: { 'retry-after': String(wait) }, detail: { retryAfterSeconds: wait } });
    }
    if (await this.#policy.authenticate(user, password)) {
      await this.#limiter.succeeded(user);
      return;
    }
    await this.#limiter.failed(user, address);
    throw refusal();
  }

  /** Basic credentials on the API: a login, remembered for a minute so a pull of many blobs hashes once. */
  async #checkBasic(req: IncomingMessage, user: string, password: string, refusal: () => RegistryError): Promise<void> {
    const key = createHmac('sha256', this.#cacheKey).update(user).update('\0').update(password).digest('base64');
    const now = this.#now();
    if ((this.#verified.get(key) ?? 0) > now) return;
    await this.#login(req, user, password, refusal);
    if (this.#verified.size >= BASIC_CACHE_MAX) this.#verified.clear();
    this.#verified.set(key, now + BASIC_CACHE_MS);
  }

  /** 403 for a signed-in caller; the challenge for one who is not, since signing in may grant it. */
  #refuse(req: IncomingMessage, scope: string | undefined, signedIn: boolean): RegistryError {
    if (!signedIn) return this.#challenge(req, scope, 'insufficient_scope');
    return new RegistryError('DENIED', { detail: scope === undefined ? null : { scope } });
  }

  #challenge(req: IncomingMessage, scope: string | undefined, error?: string): RegistryError {
    const realm = this.#realm ?? `http://${req.headers.host ?? '127.0.0.1'}/token`;
    const parts = [`realm="${realm}"`, `service="${this.#tokens.service}"`];
    if (scope !== undefined) parts.push(`scope="${scope}"`);
    if (error !== undefined) parts.push(`error="${error}"`);
    return new RegistryError('UNAUTHORIZED', {
      headers: { 'www-authenticate': `Bearer ${parts.join(',')}` },
      detail: scope === undefined ? null : { scope },
    });
  }
}

type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'bearer'; token: string }
  | { kind: 'invalid' };

/** The credentials of an Authorization header. */
export function credentialsOf(header: string | undefined): Credentials {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^(\S+)\s+(\S+)\s*$/.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2] ?? '';
  if (scheme === 'bearer') return { kind: 'bearer', token: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { kind: 'invalid' };
    return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { kind: 'invalid' };
}

/** The scope a challenge names: what clients ask a token for to do what the route does. */
function challengeScope(need: RouteAccess, repository: string | undefined): string | undefined {
  if (need === 'catalog') return formatScope(CATALOG_SCOPE);
  if (need === 'open' || need === 'signed-in' || repository === undefined) return undefined;
  // Pushing reads too (blob checks before uploads): clients ask for both, as docker does.
  const actions = need === 'push' ? ['pull', 'push'] : [need];
  return formatScope({ type: 'repository', name: repository, actions });
}
