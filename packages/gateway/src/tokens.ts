/**
 * Signed tokens of the registry's token service: short-lived access tokens
 * (JWT, HS256) whose `access` claim lists what they grant, and long-lived
 * refresh tokens (OAuth2 style) that stand in for a password at /token.
 * The HMAC key is made once per data directory and kept in a 0600 file, so
 * tokens survive a restart and no one else can mint them.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { StrataError } from '@strata/errors';
import { SignJWT, jwtVerify } from 'jose';
import type { AccessEntry } from './scopes.ts';

const ALGORITHM = 'HS256';
const KEY_BYTES = 32;
const ISSUER = 'strata';

/** The token key in `path`, made (32 random bytes, mode 0600) when the file does not exist yet. */
export async function loadOrCreateTokenKey(path: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'wx', 0o600);
    const key = randomBytes(KEY_BYTES);
    try {
      await handle.writeFile(key);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = await readFile(path);
  if (key.length < KEY_BYTES) {
    throw new StrataError('FailedPrecondition', `${path}: token key shorter than ${KEY_BYTES} bytes`, { details: { file: path } });
  }
  return key;
}

export interface TokenIssuerOptions {
  key: Uint8Array;
  /** The `service` of the challenge, which is each token's audience. */
  service: string;
  /** Milliseconds since the epoch; Date.now by default. */
  now?: () => number;
}

/** What a valid access token says. */
export interface AccessClaims {
  /** The user, or undefined for an anonymous token. */
  subject: string | undefined;
  access: AccessEntry[];
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: Date;
}

export class TokenIssuer {
  readonly #key: Uint8Array;
  readonly #service: string;
  readonly #now: () => number;

  constructor(options: TokenIssuerOptions) {
    this.#key = options.key;
    this.#service = options.service;
    this.#now = options.now ?? Date.now;
  }

  get service(): string {
    return this.#service;
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  async #sign(claims: Record<string, unknown>, subject: string, audience: string, ttlSeconds: number): Promise<IssuedToken> {
    const issuedAt = this.#seconds();
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
    return { token, expiresIn: ttlSeconds, issuedAt: new Date(issuedAt * 1000) };
  }

  async #verify(token: string, audience: string): Promise<Record<string, unknown> & { sub?: string }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience,
        currentDate: new Date(this.#now()),
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      throw new StrataError('Unauthenticated', 'invalid or expired token', { cause: error });
    }
  }

  /** An access token granting `access` to `subject` (undefined: anonymous, an empty `sub` as distribution writes it). */
  issueAccess(subject: string | undefined, access: AccessEntry[], ttlSeconds: number): Promise<IssuedToken> {
    return this.#sign({ access }, subject ?? '', this.#service, ttlSeconds);
  }

  /** The claims of a valid access token; Unauthenticated when it is malformed, tampered with, expired or meant for another service. */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const payload = await this.#verify(token, this.#service);
    const access = payload.access;
    if (!Array.isArray(access)) throw new StrataError('Unauthenticated', 'token carries no access claim');
    return { subject: payload.sub === '' ? undefined : payload.sub, access: access as AccessEntry[] };
  }

  /**
   * A refresh token for a signed-in user. It is bound to the user's current
   * password hash, so changing the password or removing the user revokes it.
   */
  issueRefresh(user: string, passwordHash: string, ttlSeconds: number): Promise<IssuedToken> {
    return this.#sign({ pwd: fingerprint(passwordHash) }, user, `${this.#service}:refresh`, ttlSeconds);
  }

  /** The user of a valid refresh token whose password is still `passwordHashOf(user)`. */
  async verifyRefresh(token: string, passwordHashOf: (user: string) => string | undefined): Promise<string> {
    const payload = await this.#verify(token, `${this.#service}:refresh`);
    const user = payload.sub ?? '';
    const hash = passwordHashOf(user);
    if (hash === undefined || payload.pwd !== fingerprint(hash)) throw new StrataError('Unauthenticated', 'refresh token revoked');
    return user;
  }
}

function fingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);
}
