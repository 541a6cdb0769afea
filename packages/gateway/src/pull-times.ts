import type { Logger } from 'pino';
import type { PullRecord, RegistryMetadata } from './metadata.ts';

/**
 * Records when manifests are pulled, for build-cache eviction (least
 * recently pulled first). A pull must not cost a write: pulls are noted in
 * memory and written in one transaction every few seconds.
 */
export class PullRecorder {
  readonly #metadata: RegistryMetadata;
  readonly #log: Logger | undefined;
  readonly #flushMs: number;
  readonly #pending = new Map<string, PullRecord>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(metadata: RegistryMetadata, options: { flushMs?: number; log?: Logger } = {}) {
    this.#metadata = metadata;
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? 5_000;
  }

  note(repository: string, digest: string): void {
    this.#pending.set(`${repository}\n${digest}`, { repository, digest, at: Date.now() });
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((error: unknown) => this.#log?.warn({ err: error }, 'pull times not recorded'));
    }, this.#flushMs);
    // Pending pull times never keep the process alive; close() writes them.
    this.#timer.unref();
  }

  /** Writes the pulls noted so far; resolves when they are durable. */
  flush(): Promise<void> {
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    this.#flushing = this.#flushing.catch(() => {}).then(() => this.#metadata.recordPulls(batch));
    return this.#flushing;
  }

  /** Writes what is pending and stops the timer; the metadata must still be open. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
