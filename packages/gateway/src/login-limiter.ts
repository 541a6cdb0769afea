/**
 * Failed logins, counted per user name and per client address: after
 * `failures` within `windowSeconds` either one is refused (429, Retry-After)
 * until the window has passed, before any password is checked, so guessing
 * costs the guesser time and the server no hashing.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface LoginLimits {
  /** Failed logins allowed per window, per user and per client address; 5 by default. */
  failures?: number;
  /** The window, in seconds; 60 by default. */
  windowSeconds?: number;
}

export class LoginLimiter {
  readonly #failures: number;
  readonly #limiter: RateLimiterMemory;

  constructor(limits: LoginLimits = {}) {
    this.#failures = limits.failures ?? 5;
    this.#limiter = new RateLimiterMemory({ points: this.#failures, duration: limits.windowSeconds ?? 60 });
  }

  /** Seconds until a login for `user` from `address` may be tried again, or undefined when it may be now. */
  async blockedFor(user: string, address: string): Promise<number | undefined> {
    let wait = 0;
    for (const key of keys(user, address)) {
      const state = await this.#limiter.get(key);
      if (state && state.consumedPoints >= this.#failures) wait = Math.max(wait, Math.ceil(state.msBeforeNext / 1000));
    }
    return wait > 0 ? wait : undefined;
  }

  async failed(user: string, address: string): Promise<void> {
    for (const key of keys(user, address)) await this.#limiter.penalty(key, 1);
  }

  /** A right password clears the user's count (not the address's: one good account must not unlock guessing others). */
  async succeeded(user: string): Promise<void> {
    await this.#limiter.delete(`user:${user}`);
  }
}

function keys(user: string, address: string): string[] {
  return [`user:${user}`, `address:${address}`];
}
