/**
 * One lock per blob digest, held while a blob's record (recipe or
 * tombstone) is appended to a pack and the index transaction that reflects
 * it commits. Compaction holds the locks of the records it copies, so the
 * packs' log never orders a copied record before or after a concurrent
 * commit or delete of the same blob differently than the index did.
 */
export class BlobLocks {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` holding the lock of each of `keys` (taken in sorted order, so holders of several never deadlock). */
  async withLocks<T>(keys: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of sorted) releases.push(await this.#acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  async #acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.#tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
