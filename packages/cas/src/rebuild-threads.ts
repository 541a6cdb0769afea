/**
 * The worker threads that rebuild expanded gzip layers. Reads of an
 * expanded layer that the hot cache does not hold re-encode it; on these
 * threads the segments (about 1 MiB of plaintext each) are rebuilt side by
 * side, on every core, and the event loop stays free for other requests.
 * The threads start with the first such read.
 */
import { RebuildPool } from '@strata/redeflate';

export class RebuildThreads {
  readonly #threads: number;
  #pool: RebuildPool | undefined;
  #closed = false;

  /** `threads` 0 rebuilds on the calling thread. */
  constructor(threads: number) {
    this.#threads = threads;
  }

  /** The pool, or undefined to rebuild on the calling thread. */
  get pool(): RebuildPool | undefined {
    if (this.#threads === 0 || this.#closed) return undefined;
    this.#pool ??= new RebuildPool({ threads: this.#threads });
    return this.#pool;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }
}
