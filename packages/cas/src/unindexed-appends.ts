/**
 * Appends whose records are in a pack but not yet in the index (chunks put
 * ahead of their recipe, between the append and the index transaction).
 * Compaction would take such records for dead ones, so it leaves alone
 * every pack from the oldest one such an append may have written to.
 */
export class UnindexedAppends {
  readonly #open = new Map<symbol, number>();

  /** Starts an append that may write to `openPackId` or any later pack. */
  begin(openPackId: number): symbol {
    const token = Symbol('append');
    this.#open.set(token, openPackId);
    return token;
  }

  end(token: symbol): void {
    this.#open.delete(token);
  }

  /** The oldest pack an append in progress may have written to, if any. */
  oldestPack(): number | undefined {
    let oldest: number | undefined;
    for (const packId of this.#open.values()) if (oldest === undefined || packId < oldest) oldest = packId;
    return oldest;
  }
}
