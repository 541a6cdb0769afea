import { Agent, type Dispatcher, type Response, fetch } from 'undici';
import { StrataError, type ErrorCode } from '@strata/errors';
import { type Credentials, findCredentials } from './registry-credentials.ts';

export interface RegistryClientOptions {
  /** Verify TLS certificates, and never fall back to plain http (true by default). */
  tlsVerify?: boolean;
  signal?: AbortSignal;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="..."` (the first challenge of a WWW-Authenticate header). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function statusError(status: number, what: string): StrataError {
  const code: ErrorCode = status === 404 ? 'NotFound' : status === 401 ? 'Unauthenticated' : status === 403 ? 'PermissionDenied' : status === 429 || status >= 500 ? 'Unavailable' : 'InvalidArgument';
  return new StrataError(code, `${what}: the registry answered HTTP ${status}`, { details: { status } });
}

/**
 * A small OCI distribution client for reads: anonymous, HTTP basic, and
 * the Docker token flow (a 401 with a Bearer challenge is answered by
 * fetching a token for the repository's pull scope, with the stored login
 * when there is one). https first; plain http only for loopback hosts or
 * with tlsVerify false, as podman and skopeo do.
 */
export class RegistryClient {
  readonly host: string;
  readonly #tlsVerify: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #dispatcher: Dispatcher | undefined;
  #base: string | undefined;
  #credentials: Promise<Credentials | undefined> | undefined;
  readonly #tokens = new Map<string, string>();
  #basic = false;

  constructor(host: string, options: RegistryClientOptions = {}) {
    this.host = host;
    this.#tlsVerify = options.tlsVerify ?? true;
    this.#signal = options.signal;
    this.#dispatcher = this.#tlsVerify ? undefined : new Agent({ connect: { rejectUnauthorized: false } });
  }

  async close(): Promise<void> {
    await this.#dispatcher?.close();
  }

  get #apiHost(): string {
    return this.host === 'docker.io' ? 'registry-1.docker.io' : this.host;
  }

  async #baseUrl(): Promise<string> {
    if (this.#base) return this.#base;
    const https = `https://${this.#apiHost}`;
    const insecureAllowed = !this.#tlsVerify || isLoopback(this.host);
    // The ping's status does not matter (401 is usual): only whether the scheme answers.
    try {
      await (await this.#send(`${https}/v2/`, {}, undefined)).body?.cancel();
      this.#base = https;
    } catch (error) {
      if (!insecureAllowed || (error instanceof StrataError && error.code !== 'Unavailable')) throw error;
      const http = `http://${this.#apiHost}`;
      await (await this.#send(`${http}/v2/`, {}, undefined)).body?.cancel();
      this.#base = http;
    }
    return this.#base;
  }

  #credentialsOnce(): Promise<Credentials | undefined> {
    this.#credentials ??= findCredentials(this.host);
    return this.#credentials;
  }

  async #send(url: string, headers: Record<string, string>, auth: string | undefined): Promise<Response> {
    try {
      return await fetch(url, {
        headers: auth ? { ...headers, authorization: auth } : headers,
        dispatcher: this.#dispatcher,
        signal: this.#signal,
      });
    } catch (error) {
      if (this.#signal?.aborted) throw new StrataError('Cancelled', 'cancelled', { cause: error });
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new StrataError('Unavailable', `cannot reach ${url}: ${cause}`, { cause: error });
    }
  }

  async #authorization(scope: string): Promise<string | undefined> {
    const token = this.#tokens.get(scope);
    if (token) return `Bearer ${token}`;
    const credentials = this.#basic ? await this.#credentialsOnce() : undefined;
    return credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  }

  async #fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new StrataError('Unauthenticated', `${this.host}: the registry's Bearer challenge names no realm`);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', scope);
    const credentials = await this.#credentialsOnce();
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    const response = await this.#send(url.toString(), {}, basic);
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(response.status, `${this.host}: token request`);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new StrataError('Unauthenticated', `${this.host}: the token endpoint returned no token`);
    return token;
  }

  /**
   * GET `path` (below /v2/) for a repository, answering one auth challenge.
   * A response that is not 2xx is a StrataError (NotFound, Unauthenticated,
   * PermissionDenied, Unavailable) naming `what`.
   */
  async get(path: string, repository: string, what: string, headers: Record<string, string> = {}): Promise<Response> {
    const url = `${await this.#baseUrl()}/v2/${path}`;
    const scope = `repository:${repository}:pull`;
    let response = await this.#send(url, headers, await this.#authorization(scope));
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
      await response.body?.cancel();
      if (challenge?.scheme === 'bearer') {
        this.#tokens.set(scope, await this.#fetchToken(challenge, scope));
        response = await this.#send(url, headers, await this.#authorization(scope));
      } else if (challenge?.scheme === 'basic' && (await this.#credentialsOnce())) {
        this.#basic = true;
        response = await this.#send(url, headers, await this.#authorization(scope));
      }
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(response.status, what);
    }
    return response;
  }
}
