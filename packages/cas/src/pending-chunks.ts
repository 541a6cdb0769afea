import type { ChunkEntry } from './layout.ts';

export type ChunkLocation = Omit<ChunkEntry, 'refs'>;

interface PendingChunk {
  location: ChunkLocation | undefined;
  /** Asks the owning write to send the chunk on its way now rather than with a later batch. */
  dispatch: () => void;
  ready: Promise<void>;
  users: number;
  /** The open pack when the chunk was registered: it lands there or in a later pack. */
  earliestPack: number;
}

/**
 * Chunks written to a pack by a write that has not committed yet. A second
 * write of the same content reuses them instead of storing them again; an
 * entry lives while some write uses it and is dropped once nothing does.
 */
export class PendingChunks {
  readonly #entries = new Map<string, PendingChunk>();

  /** Takes a use of a pending chunk; false when nobody is writing it. */
  use(hex: string): boolean {
    const entry = this.#entries.get(hex);
    if (!entry) return false;
    entry.users++;
    return true;
  }

  /**
   * Registers a chunk about to be written (to pack `earliestPack` or a later
   * one), used once by the caller.
   */
  add(hex: string, ready: Promise<ChunkLocation>, dispatch: () => void, earliestPack: number): void {
    const entry: PendingChunk = { location: undefined, users: 1, ready: Promise.resolve(), dispatch, earliestPack };
    entry.ready = ready.then(
      (location) => {
        entry.location = location;
      },
      () => {},
    );
    this.#entries.set(hex, entry);
  }

  /** The chunk's location once written; undefined when writing it failed. */
  async location(hex: string): Promise<ChunkLocation | undefined> {
    const entry = this.#entries.get(hex);
    if (!entry) return undefined;
    entry.dispatch();
    await entry.ready;
    return entry.location;
  }

  release(hex: string): void {
    const entry = this.#entries.get(hex);
    if (entry && --entry.users <= 0) this.#entries.delete(hex);
  }

  /**
   * Packs that hold (or may soon hold) pending chunks: compaction must not
   * move them, since no index entry points at those records yet. `from` is
   * the oldest pack a chunk still being written may land in.
   */
  packsInUse(): { packs: Set<number>; from: number | undefined } {
    const packs = new Set<number>();
    let from: number | undefined;
    for (const entry of this.#entries.values()) {
      if (entry.location) packs.add(entry.location.packId);
      else if (from === undefined || entry.earliestPack < from) from = entry.earliestPack;
    }
    return { packs, from };
  }

  get size(): number {
    return this.#entries.size;
  }
}
