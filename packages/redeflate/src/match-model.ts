import { MAX_MATCH, MIN_MATCH, WINDOW_SIZE } from './deflate-tables.ts';

/**
 * Parameters of the model encoder. They mirror zlib's per-level
 * configuration (good/lazy/nice/chain) plus memLevel (hash bits) and
 * windowBits, so a stream written by zlib, GNU gzip or pigz is predicted
 * token for token once the right set is found.
 */
export interface ModelParams {
  /** Lazy evaluation (zlib levels 4..9); otherwise greedy (levels 1..3). */
  lazy: boolean;
  /** Previous match length from which the chain is searched at a quarter of its length. */
  good: number;
  /** Lazy: no second search past this length. Greedy: longest match whose inner positions are hashed. */
  maxLazy: number;
  /** Stop searching once a match this long is found. */
  nice: number;
  /** Hash chain positions tried per search (0: never match, for Huffman-only producers). */
  chain: number;
  hashBits: number;
  windowBits: number;
  /** Drop length-3 matches farther than 4096 bytes (zlib's TOO_FAR). */
  tooFar: boolean;
}

/** zlib's configuration table, levels 1..9. */
export function zlibLevelParams(level: number, hashBits = 15, windowBits = 15): ModelParams {
  const table: Array<[number, number, number, number]> = [
    [4, 4, 8, 4],
    [4, 5, 16, 8],
    [4, 6, 32, 32],
    [4, 4, 16, 16],
    [8, 16, 32, 32],
    [8, 16, 128, 128],
    [8, 32, 128, 256],
    [32, 128, 258, 1024],
    [32, 258, 258, 4096],
  ];
  const [good, maxLazy, nice, chain] = table[level - 1]!;
  return { lazy: level >= 4, good, maxLazy, nice, chain, hashBits, windowBits, tooFar: true };
}

const PREV_SIZE = 1 << 16;
const PREV_MASK = PREV_SIZE - 1;
const TOO_FAR = 4096;
/** Chain positions walked to rank a match distance in a correction. */
export const RANK_WALK_LIMIT = 4096;

/**
 * The deterministic model encoder: hash chains over the plaintext and
 * zlib's greedy/lazy match selection. Expansion and reconstruction drive it
 * with the same actual tokens, so both sides see the same predictions.
 *
 * Positions are indices into `data`; `base` is the absolute plaintext offset
 * of `data[0]`. The model is reset at every segment, so a buffer may start
 * anywhere.
 */
export class MatchModel {
  readonly params: ModelParams;
  data: Uint8Array = new Uint8Array(0);
  /** Absolute offset of data[0]. */
  base = 0;
  /** Bytes of `data` that hold plaintext. */
  dataEnd = 0;
  /** Matches may not reach past this position (a flush point or the end). */
  horizon = 0;
  /** Every position below this one has been hashed (or skipped on purpose). */
  inserted = 0;

  /** The prediction: length 0 means a literal. */
  predictedLength = 0;
  predictedDistance = 0;

  private readonly head: Int32Array;
  private readonly prev = new Int32Array(PREV_SIZE);
  private readonly hashMask: number;
  private readonly hashShift: number;
  private readonly maxDistance: number;
  private carryValid = false;
  private carryLength = 0;
  private carryDistance = 0;
  private pendingValid = false;
  private pendingLength = 0;
  private pendingDistance = 0;
  private foundDistance = 0;

  constructor(params: ModelParams) {
    this.params = params;
    this.head = new Int32Array(1 << params.hashBits).fill(-1);
    this.prev.fill(-1);
    this.hashMask = (1 << params.hashBits) - 1;
    this.hashShift = Math.floor((params.hashBits + MIN_MATCH - 1) / MIN_MATCH);
    this.maxDistance = (1 << params.windowBits) - 262;
  }

  /** Starts over at `position` with the window before it hashed (a restart point). */
  reset(position: number, windowStart: number): void {
    this.head.fill(-1);
    this.prev.fill(-1);
    this.carryValid = false;
    this.pendingValid = false;
    this.inserted = windowStart;
    this.insertTo(position);
  }

  /**
   * Points the model at a plaintext buffer whose first byte is at absolute
   * offset `base`.
   * Call `reset` afterwards.
   */
  bind(data: Uint8Array, base: number, dataEnd: number): void {
    this.data = data;
    this.base = base;
    this.dataEnd = dataEnd;
  }

  /** Lazy state does not carry over a stored block or a flush. */
  forgetLazy(): void {
    this.carryValid = false;
  }

  private hashAt(position: number): number {
    const data = this.data;
    const shift = this.hashShift;
    return ((data[position]! << (shift + shift)) ^ (data[position + 1]! << shift) ^ data[position + 2]!) & this.hashMask;
  }

  insertTo(position: number): void {
    let at = this.inserted;
    if (at >= position) return;
    const stop = Math.min(position, this.dataEnd - 2);
    const head = this.head;
    const prev = this.prev;
    for (; at < stop; at++) {
      const hash = this.hashAt(at);
      prev[at & PREV_MASK] = head[hash]!;
      head[hash] = at;
    }
    this.inserted = position;
  }

  /**
   * zlib's longest_match at `position`: the longest match longer than
   * `previousLength` within the chain budget, closest first. Returns the
   * length (previousLength when nothing longer, 2 when no search happens);
   * the distance is left in `foundDistance`.
   */
  private search(position: number, previousLength: number): number {
    const lookahead = this.horizon - position;
    if (lookahead < MIN_MATCH || this.params.chain === 0) return MIN_MATCH - 1;
    const data = this.data;
    let candidate = this.head[this.hashAt(position)]!;
    if (candidate < 0) return MIN_MATCH - 1;
    const base = this.base;
    const absolute = base + position;
    // zlib's NIL is window position 0, so the very first byte is never a match source.
    if (base + candidate === 0 || position - candidate > this.maxDistance) return MIN_MATCH - 1;
    const params = this.params;
    let chain = params.chain;
    if (previousLength >= params.good) chain >>= 2;
    let nice = params.nice;
    if (nice > lookahead) nice = lookahead;
    const maxLength = lookahead < MAX_MATCH ? lookahead : MAX_MATCH;
    const limit = absolute > this.maxDistance ? absolute - this.maxDistance : 0;
    const prev = this.prev;
    let best = previousLength;
    let bestPosition = -1;
    do {
      if (best < maxLength && data[candidate + best] === data[position + best] && data[candidate] === data[position]) {
        let length = 1;
        while (length < maxLength && data[candidate + length] === data[position + length]) length++;
        if (length > best) {
          best = length;
          bestPosition = candidate;
          if (length >= nice) break;
        }
      }
      candidate = prev[candidate & PREV_MASK]!;
    } while (candidate >= 0 && base + candidate > limit && --chain !== 0);
    if (bestPosition >= 0) this.foundDistance = position - bestPosition;
    return best;
  }

  /** Predicts the token at `position` into predictedLength/predictedDistance. */
  predict(position: number): void {
    this.insertTo(position);
    this.pendingValid = false;
    const params = this.params;
    let length: number;
    let distance = 0;
    if (this.carryValid) {
      length = this.carryLength;
      distance = this.carryDistance;
    } else {
      length = this.search(position, MIN_MATCH - 1);
      distance = this.foundDistance;
      if (params.lazy && params.tooFar && length === MIN_MATCH && distance > TOO_FAR) length = MIN_MATCH - 1;
    }
    if (length < MIN_MATCH) {
      this.predictedLength = 0;
      return;
    }
    if (params.lazy && length < params.maxLazy) {
      this.insertTo(position + 1);
      const next = this.search(position + 1, length);
      if (next > length) {
        this.pendingValid = true;
        this.pendingLength = next;
        this.pendingDistance = this.foundDistance;
        this.predictedLength = 0;
        return;
      }
    }
    this.predictedLength = length;
    this.predictedDistance = distance;
  }

  /** Moves past the actual token at `position` (length 0 = literal). */
  advance(position: number, length: number, predicted: boolean): void {
    if (length === 0) {
      this.carryValid = predicted && this.pendingValid;
      if (this.carryValid) {
        this.carryLength = this.pendingLength;
        this.carryDistance = this.pendingDistance;
      }
      return;
    }
    this.carryValid = false;
    if (!this.params.lazy && length > this.params.maxLazy) {
      this.insertTo(position + 1);
      this.inserted = position + length;
    }
  }

  /**
   * Rank of `distance` among the chain positions before `position` that
   * match at least `length` bytes, closest first; -1 when it is not found
   * within the walk limit.
   */
  rankOf(position: number, length: number, distance: number): number {
    if (position + MIN_MATCH > this.dataEnd) return -1;
    this.insertTo(position);
    const data = this.data;
    let candidate = this.head[this.hashAt(position)]!;
    while (candidate >= position) candidate = this.prev[candidate & PREV_MASK]!;
    let rank = 0;
    for (let steps = 0; candidate >= 0 && position - candidate <= WINDOW_SIZE && steps < RANK_WALK_LIMIT; steps++) {
      if (matchesAtLeast(data, candidate, position, length)) {
        if (position - candidate === distance) return rank;
        rank++;
      }
      const next = this.prev[candidate & PREV_MASK]!;
      if (next >= candidate) break;
      candidate = next;
    }
    return -1;
  }

  /** The distance `rankOf` ranked `rank`, or 0 when there is none. */
  distanceAt(position: number, length: number, rank: number): number {
    if (position + MIN_MATCH > this.dataEnd) return 0;
    this.insertTo(position);
    const data = this.data;
    let candidate = this.head[this.hashAt(position)]!;
    while (candidate >= position) candidate = this.prev[candidate & PREV_MASK]!;
    let seen = 0;
    for (let steps = 0; candidate >= 0 && position - candidate <= WINDOW_SIZE && steps < RANK_WALK_LIMIT; steps++) {
      if (matchesAtLeast(data, candidate, position, length)) {
        if (seen === rank) return position - candidate;
        seen++;
      }
      const next = this.prev[candidate & PREV_MASK]!;
      if (next >= candidate) break;
      candidate = next;
    }
    return 0;
  }
}

function matchesAtLeast(data: Uint8Array, from: number, to: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (data[from + i] !== data[to + i]) return false;
  return true;
}
