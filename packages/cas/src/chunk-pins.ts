/**
 * Chunks that writes in progress rely on, kept from garbage collection.
 *
 * A write that finds a chunk in the index (dedup) does not store it again;
 * it pins the chunk first and only then looks it up, and keeps the pin
 * until its commit has taken a reference on the chunk (or it ends). The
 * sweep removes a chunk only inside an index transaction that sees
 * `refs == 0` and no pin, and marks it as being swept (until that
 * transaction has committed) in the same synchronous step as the pin check.
 * Because JavaScript runs one callback at a time, a writer either pins
 * before that step (the sweep then keeps the chunk) or after it: then the
 * chunk is marked as being swept when the pin is taken, and the writer
 * treats it as absent and stores its bytes again, whatever its lookup (which
 * may still see the uncommitted sweep) answers. The mark is cleared only
 * once the removal is visible to every later lookup. Either way no recipe
 * ends up naming a swept chunk.
 */
export class ChunkPins {
  readonly #pins = new Map<string, number>();
  readonly #sweeping = new Set<string>();

  hold(hex: string): void {
    this.#pins.set(hex, (this.#pins.get(hex) ?? 0) + 1);
  }

  release(hex: string): void {
    const count = this.#pins.get(hex);
    if (count === undefined) return;
    if (count <= 1) this.#pins.delete(hex);
    else this.#pins.set(hex, count - 1);
  }

  isPinned(hex: string): boolean {
    return this.#pins.has(hex);
  }

  /** Called by the sweep inside its transaction, for each chunk it removes. */
  markSweeping(hex: string): void {
    this.#sweeping.add(hex);
  }

  /** Called once the sweep's transaction has committed (or failed). */
  clearSweeping(hexes: Iterable<string>): void {
    for (const hex of hexes) this.#sweeping.delete(hex);
  }

  isSweeping(hex: string): boolean {
    return this.#sweeping.has(hex);
  }
}
