import { RWLock } from '@rocicorp/lock';

/**
 * Of `digests`, those a collection must keep: pushes relied on them since it
 * began, or an upload protects them now.
 */
export type TouchedCheck = (digests: readonly string[]) => Promise<Set<string>>;

/** One garbage collection in progress, as the guard sees it. */
export interface Collection {
  /**
   * What pushes touched since the collection began. Outside a delete step
   * the answer is a hint that can only grow; the delete step's own check is
   * the one that counts.
   */
  touched: TouchedCheck;
  /**
   * Runs a delete step alone: no push step of any gateway sharing the guard
   * runs meanwhile. `work` re-checks its candidates with the check it is
   * given, which also sees the digests uploads protect.
   */
  exclusive<T>(work: (touched: TouchedCheck) => Promise<T>): Promise<T>;
  /** Ends the collection; idempotent. */
  end(): Promise<void>;
}

/**
 * What pushes and garbage collection agree on, so that a collection never
 * deletes what a push relies on.
 *
 * Push steps that make a blob or manifest reachable (linking a blob,
 * recording a manifest, refreshing a link on HEAD) run on the shared side
 * of a readers-writer lock and name the digests they rely on; every
 * collection running at that moment notes them as touched. A collection's
 * delete steps run on the exclusive side, in short batches, and re-check
 * each candidate there: anything touched since the collection began is
 * kept. So a push step either finished before the delete step (and its
 * digests are touched) or starts after it (and finds the blob gone:
 * MANIFEST_BLOB_UNKNOWN, or a fresh commit of the bytes).
 *
 * Blob commits can be long; they are not held under the lock. Instead an
 * upload `protect`s its digest from before its commit until its link:
 * taking protection waits out a delete step of that digest in progress, so
 * the commit never races a delete of the same digest.
 *
 * Two implementations: LocalCollectionGuard orders the pushes and
 * collections of one process (LMDB metadata, which one process holds);
 * PgCollectionGuard those of every gateway over one PostgreSQL schema.
 */
export interface CollectionGuard {
  /** Runs a push step that relies on `digests`. */
  shared<T>(digests: Iterable<string>, work: () => Promise<T>): Promise<T>;
  /**
   * Keeps `digest` from every delete step until the returned release is
   * called; resolves once no delete step of it is running.
   */
  protect(digest: string): Promise<() => void>;
  /** Starts noting what pushes touch, for a collection about to read the metadata. */
  begin(): Promise<Collection>;
  /**
   * Claims the right to collect: one collection or eviction at a time over
   * the metadata. Resolves to the release, or to undefined while another
   * holds the claim.
   */
  claim(): Promise<(() => Promise<void>) | undefined>;
  /** Releases what the guard holds; idempotent. */
  close(): Promise<void>;
}

/** The guard of one process: an in-memory readers-writer lock. */
export class LocalCollectionGuard implements CollectionGuard {
  readonly #lock = new RWLock();
  readonly #collections = new Set<Set<string>>();
  /** Digests being committed and not yet linked, with how many uploads hold each. */
  readonly #protected = new Map<string, number>();
  /**
   * When push steps last relied on each digest. A client that checked a
   * blob (HEAD) a moment before a collection began may push the manifest
   * naming it a moment after; the link time alone is refreshed at most once
   * a minute, so recent uses count as touched too.
   */
  readonly #lastUse = new Map<string, number>();
  readonly #recentMs: number;
  #claimed = false;

  /** `recentMs`: how long a use keeps a digest touched for collections that begin later. */
  constructor(options: { recentMs?: number } = {}) {
    this.#recentMs = options.recentMs ?? 5 * 60_000;
  }

  shared<T>(digests: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const relied = [...digests];
    return this.#lock.withRead(async () => {
      this.#touch(relied);
      try {
        return await work();
      } finally {
        // Again at the end: a collection that began during the step read the
        // metadata before the step's writes landed.
        this.#touch(relied);
      }
    });
  }

  async protect(digest: string): Promise<() => void> {
    await this.#lock.withRead(() => {
      this.#protected.set(digest, (this.#protected.get(digest) ?? 0) + 1);
      this.#touch([digest]);
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const holders = (this.#protected.get(digest) ?? 1) - 1;
      if (holders <= 0) this.#protected.delete(digest);
      else this.#protected.set(digest, holders);
    };
  }

  begin(): Promise<Collection> {
    const touched = new Set<string>();
    const since = Date.now() - this.#recentMs;
    for (const [digest, at] of this.#lastUse) {
      if (at < since) this.#lastUse.delete(digest);
      else touched.add(digest);
    }
    this.#collections.add(touched);
    const check: TouchedCheck = (digests) => Promise.resolve(new Set(digests.filter((digest) => touched.has(digest) || this.#protected.has(digest))));
    return Promise.resolve({
      touched: check,
      exclusive: (work) => this.#lock.withWrite(() => work(check)),
      end: () => {
        this.#collections.delete(touched);
        return Promise.resolve();
      },
    });
  }

  claim(): Promise<(() => Promise<void>) | undefined> {
    if (this.#claimed) return Promise.resolve(undefined);
    this.#claimed = true;
    let released = false;
    return Promise.resolve(() => {
      if (!released) {
        released = true;
        this.#claimed = false;
      }
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #touch(digests: Iterable<string>): void {
    const now = Date.now();
    // Without collections to prune it, the map is kept small here.
    if (this.#lastUse.size > 100_000) {
      for (const [digest, at] of this.#lastUse) if (at < now - this.#recentMs) this.#lastUse.delete(digest);
    }
    for (const digest of digests) {
      if (this.#recentMs > 0) this.#lastUse.set(digest, now);
      for (const touched of this.#collections) touched.add(digest);
    }
  }
}
