import { isUnavailable, StrataError } from '@strata/errors';

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubled each time, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 50, maxDelayMs: 2000 };

/**
 * True for failures worth another try of an idempotent call: the server
 * could not be reached or went away. A ref held by another writer is
 * Unavailable too, but says so in its details and is not retried.
 */
export function isTransient(error: unknown): boolean {
  return isUnavailable(error) && (error as StrataError).details['heldForMs'] === undefined;
}

/** Runs `attempt` until it succeeds, fails for good, or the retries are spent. */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= policy.retries || !isTransient(error) || signal?.aborted) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** tries);
      await sleep(ceiling / 2 + Math.random() * (ceiling / 2), signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new StrataError('Cancelled', 'cancelled while waiting to retry'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
