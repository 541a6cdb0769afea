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
const HASH4_BITS = 15;
/** Search candidates lie within 32 KiB, so their 4-byte links fit a 32 Ki ring. */
const LINK4_SIZE = 1 << 15;
const LINK4_MASK = LINK4_SIZE - 1;
/** Knuth's multiplicative hash constant (2^32 / golden ratio). */
const HASH4_MULTIPLIER = 0x9e3779b1 | 0;
const PREV_MASK = PREV_SIZE - 1;
/** Key length of the third set of chains. */
const LONG_KEY = 8;
const HASH8_BITS = 15;
/** An odd constant that spreads the second word of an 8-byte key (xxHash's second 32-bit prime). */
const HASH8_MULTIPLIER = 0x85ebca77 | 0;
/** zlib chain budgets from which the 4-byte and the 8-byte chains are kept. */
const WORD_CHAIN_MIN = 16;
const LONG_CHAIN_MIN = 1024;
const LONG_PATIENCE = 16;

function longHash(low: number, high: number): number {
  return Math.imul(low ^ Math.imul(high, HASH8_MULTIPLIER), HASH4_MULTIPLIER) >>> (32 - HASH8_BITS);
}

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
  /** The same for the 8-byte chains, which lag behind until a search needs them. */
  private inserted8 = 0;

  /** The prediction: length 0 means a literal. */
  predictedLength = 0;
  predictedDistance = 0;

  /**
   * zlib's hash heads, interleaved with a count of the strings inserted into each chain
   * (entry 2h: newest position, 2h + 1: count) so that an insert touches one cache line.
   * Only differences of two counts of one chain are used, so counts may start anywhere.
   */
  private readonly head: Int32Array;
  private readonly prev = new Int32Array(PREV_SIZE);
  /**
   * A second set of chains keyed by the first four bytes. Once a search
   * needs a match of 4 bytes or more, it walks these instead of zlib's and
   * skips the strings zlib would reject. Each entry packs the string's
   * ordinal in its zlib chain (high 16 bits: the difference of two is the
   * number of steps zlib takes from one to the other, which keeps the walk
   * within zlib's budget) and the distance back to the previous string of
   * its 4-byte chain (low 16 bits, 0 at the end). Tables this small stay in
   * the core's cache, which is what the walk is bound by.
   */
  private readonly head4 = new Int32Array(1 << HASH4_BITS);
  private readonly link4 = new Int32Array(LINK4_SIZE);
  /** The same for strings sharing their first 8 bytes, walked once a match is 7 bytes long. */
  private readonly head8 = new Int32Array(1 << HASH8_BITS);
  private readonly link8 = new Int32Array(LINK4_SIZE);
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
  // The parameters the hot loops read, as plain number fields.
  private readonly goodLength: number;
  private readonly niceLength: number;
  private readonly chainLength: number;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /**
   * Whether the 8-byte chains are kept. They pay for their upkeep only where zlib walks
   * long chains for long matches (levels 8 and 9); the predictions are the same either way.
   */
  private readonly longChains: boolean;
  /** Whether the 4-byte chains are kept: with a budget of a few steps zlib's own walk is cheaper. */
  private readonly wordChains: boolean;

  constructor(params: ModelParams) {
    this.params = params;
    this.head = new Int32Array(2 << params.hashBits).fill(-1);
    this.prev.fill(-1);
    this.hashMask = (1 << params.hashBits) - 1;
    this.hashShift = Math.floor((params.hashBits + MIN_MATCH - 1) / MIN_MATCH);
    this.maxDistance = (1 << params.windowBits) - 262;
    this.goodLength = params.good;
    this.niceLength = params.nice;
    this.chainLength = params.chain;
    this.wordChains = params.chain >= WORD_CHAIN_MIN;
    // Filled on demand, the 8-byte chains must hold every position zlib hashed: greedy
    // matching skips some.
    this.longChains = this.wordChains && params.lazy && params.chain >= LONG_CHAIN_MIN && params.nice > LONG_KEY;
  }

  /** Starts over at `position` with the window before it hashed (a restart point). */
  reset(position: number, windowStart: number): void {
    this.head.fill(-1);
    this.prev.fill(-1);
    this.head4.fill(-1);
    this.head8.fill(-1);
    this.carryValid = false;
    this.pendingValid = false;
    this.inserted = windowStart;
    this.inserted8 = windowStart;
    this.insertTo(position);
  }

  /**
   * Points the model at a plaintext buffer whose first byte is at absolute
   * offset `base`.
   * Call `reset` afterwards.
   */
  bind(data: Uint8Array, base: number, dataEnd: number): void {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
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
    const dataEnd = this.dataEnd;
    const stop = position < dataEnd - 2 ? position : dataEnd - 2;
    if (at < stop) {
      const data = this.data;
      const view = this.view;
      const head = this.head;
      const prev = this.prev;
      const head4 = this.head4;
      const link4 = this.link4;
      const words = this.wordChains;
      const shift = this.hashShift;
      const mask = this.hashMask;
      // The hash of the next position is the previous one shifted by a byte, as in zlib's UPDATE_HASH.
      let hash = ((data[at]! << shift) ^ data[at + 1]!) & mask;
      for (; at < stop; at++) {
        hash = ((hash << shift) ^ data[at + 2]!) & mask;
        const slot = at & PREV_MASK;
        const entry = hash << 1;
        prev[slot] = head[entry]!;
        head[entry] = at;
        const ordinal = head[entry + 1]! + 1;
        head[entry + 1] = ordinal;
        if (words && at + 3 < dataEnd) {
          const low = view.getInt32(at, true);
          const hash4 = Math.imul(low, HASH4_MULTIPLIER) >>> (32 - HASH4_BITS);
          const previous = head4[hash4]!;
          const back = previous >= 0 && at - previous <= 0xffff ? at - previous : 0;
          link4[at & LINK4_MASK] = (ordinal << 16) | back;
          head4[hash4] = at;
        }
      }
    }
    this.inserted = position;
  }

  /**
   * Brings the 8-byte chains up to `inserted`. They are filled only when a search needs
   * them, so data with few long matches does not pay for their upkeep. Only positions a
   * search can still reach are added, which keeps every link's ordinal readable from link4.
   */
  private insertLongTo(): void {
    const dataEnd = this.dataEnd;
    const stop = this.inserted < dataEnd - 7 ? this.inserted : dataEnd - 7;
    const reachable = this.inserted - LINK4_SIZE;
    let at = this.inserted8 > reachable ? this.inserted8 : reachable;
    if (at < 0) at = 0;
    const view = this.view;
    const link4 = this.link4;
    const head8 = this.head8;
    const link8 = this.link8;
    for (; at < stop; at++) {
      const hash8 = longHash(view.getInt32(at, true), view.getInt32(at + 4, true));
      const previous = head8[hash8]!;
      const back = previous >= 0 && at - previous <= 0xffff ? at - previous : 0;
      link8[at & LINK4_MASK] = (link4[at & LINK4_MASK]! & ~0xffff) | back;
      head8[hash8] = at;
    }
    if (stop > this.inserted8) this.inserted8 = stop;
  }

  /**
   * zlib's longest_match at `position`: the longest match longer than
   * `previousLength` within the chain budget, closest first. Returns the
   * length (previousLength when nothing longer, 2 when no search happens);
   * the distance is left in `foundDistance`.
   */
  private search(position: number, previousLength: number): number {
    const lookahead = this.horizon - position;
    if (lookahead < MIN_MATCH || this.chainLength === 0) return MIN_MATCH - 1;
    let candidate = this.head[this.hashAt(position) << 1]!;
    if (candidate < 0) return MIN_MATCH - 1;
    const base = this.base;
    const absolute = base + position;
    const maxDistance = this.maxDistance;
    // zlib's NIL is window position 0, so the very first byte is never a match source.
    if (base + candidate === 0 || position - candidate > maxDistance) return MIN_MATCH - 1;
    const maxLength = lookahead < MAX_MATCH ? lookahead : MAX_MATCH;
    let best = previousLength;
    // Nothing can beat a match that already reaches the horizon: the walk would find nothing.
    if (best >= maxLength) return best;
    let chain = this.chainBudget(previousLength);
    const nice = this.niceLength < lookahead ? this.niceLength : lookahead;
    const limit = absolute > maxDistance ? absolute - maxDistance : 0;
    const view = this.view;
    // A candidate can only be longer than `best` if its bytes 0, 1, best - 1 and best agree
    // (zlib's scan_start/scan_end test); reads stay below the horizon because best < maxLength.
    const scanStart = view.getUint16(position, true);
    let scanEnd = view.getUint16(position + best - 1, true);
    let bestPosition = -1;
    // Older candidates still to be examined are below `candidate` on zlib's chain.
    let walking = true;
    const zlibHead = candidate;
    if (best < MIN_MATCH || !this.wordChains) {
      // Until some match is found any string of the chain may be one: walk zlib's chain
      // (to the end when there are no 4-byte chains).
      const prev = this.prev;
      for (;;) {
        if (view.getUint16(candidate + best - 1, true) === scanEnd && view.getUint16(candidate, true) === scanStart) {
          const length = this.matchLength(candidate, position, maxLength);
          if (length > best) {
            best = length;
            bestPosition = candidate;
            if (length >= nice) {
              walking = false;
              break;
            }
            scanEnd = view.getUint16(position + best - 1, true);
          }
        }
        const next = prev[candidate & PREV_MASK]!;
        if (next < 0 || base + next <= limit || --chain === 0) {
          walking = false;
          break;
        }
        candidate = next;
        if (best >= MIN_MATCH && this.wordChains) break;
      }
    }
    if (walking) {
      // From now on only strings sharing the first 4 bytes can be longer: walk those, and
      // stop where zlib's walk would have run out of steps (a budget of 0 never runs out,
      // as in zlib). Once the match is 7 bytes long, only strings sharing 8 bytes can beat
      // it, and those have a chain of their own, taken when this walk turns out to be long.
      const first = view.getInt32(position, true);
      const headOrdinal = this.link4[zlibHead & LINK4_MASK]! >>> 16;
      const budget = this.chainBudget(previousLength) || Infinity;
      let from = candidate;
      const link4 = this.link4;
      candidate = this.head4[Math.imul(first, HASH4_MULTIPLIER) >>> (32 - HASH4_BITS)]!;
      while (candidate > from) {
        const back = link4[candidate & LINK4_MASK]! & 0xffff;
        candidate = back === 0 ? -1 : candidate - back;
      }
      // Steps on the 4-byte chain before the 8-byte chains are worth filling.
      let patience = this.longChains ? LONG_PATIENCE : 0x3fffffff;
      walking = false;
      while (candidate >= 0 && (base + candidate > limit || candidate === zlibHead)) {
        const link = link4[candidate & LINK4_MASK]!;
        if (view.getInt32(candidate, true) === first) {
          if (((headOrdinal - (link >>> 16)) & 0xffff) >= budget) break;
          if (view.getUint16(candidate + best - 1, true) === scanEnd) {
            const length = this.matchLength(candidate, position, maxLength);
            if (length > best) {
              best = length;
              bestPosition = candidate;
              if (length >= nice) break;
              scanEnd = view.getUint16(position + best - 1, true);
            }
          }
        }
        if (--patience < 0 && best >= LONG_KEY - 1) {
          from = candidate - 1;
          walking = true;
          break;
        }
        const back = link & 0xffff;
        candidate = back === 0 ? -1 : candidate - back;
      }
      if (walking) {
        if (bestPosition >= 0) this.foundDistance = position - bestPosition;
        return this.walkLong(position, from, zlibHead, headOrdinal, budget, limit, best, scanEnd, maxLength, nice);
      }
    }
    if (bestPosition >= 0) this.foundDistance = position - bestPosition;
    return best;
  }

  /**
   * The rest of a search on the 8-byte chains, from the strings older than `from` on.
   * Kept apart so that the common walk stays small for the compiler.
   */
  private walkLong(
    position: number,
    from: number,
    zlibHead: number,
    headOrdinal: number,
    budget: number,
    limit: number,
    best: number,
    scanEnd: number,
    maxLength: number,
    nice: number,
  ): number {
    const view = this.view;
    const base = this.base;
    // best + 1 <= maxLength, so the 8 bytes at `position` lie below the horizon.
    const first = view.getInt32(position, true);
    const second = view.getInt32(position + 4, true);
    if (this.inserted8 < this.inserted) this.insertLongTo();
    const link8 = this.link8;
    let candidate = this.head8[longHash(first, second)]!;
    while (candidate > from) {
      const back = link8[candidate & LINK4_MASK]! & 0xffff;
      candidate = back === 0 ? -1 : candidate - back;
    }
    let bestPosition = -1;
    while (candidate >= 0 && (base + candidate > limit || candidate === zlibHead)) {
      const link = link8[candidate & LINK4_MASK]!;
      if (view.getInt32(candidate, true) === first && view.getInt32(candidate + 4, true) === second) {
        if (((headOrdinal - (link >>> 16)) & 0xffff) >= budget) break;
        if (view.getUint16(candidate + best - 1, true) === scanEnd) {
          const length = this.matchLength(candidate, position, maxLength);
          if (length > best) {
            best = length;
            bestPosition = candidate;
            if (length >= nice) break;
            scanEnd = view.getUint16(position + best - 1, true);
          }
        }
      }
      const back = link & 0xffff;
      candidate = back === 0 ? -1 : candidate - back;
    }
    if (bestPosition >= 0) this.foundDistance = position - bestPosition;
    return best;
  }

  /** zlib's max_chain_length for one search: a quarter once the previous match is good. */
  private chainBudget(previousLength: number): number {
    return previousLength >= this.goodLength ? this.chainLength >> 2 : this.chainLength;
  }

  /** Bytes `candidate` and `position` share, at most maxLength; the first two are known to agree. */
  private matchLength(candidate: number, position: number, maxLength: number): number {
    const view = this.view;
    let length = 2;
    while (length + 4 <= maxLength) {
      const diff = view.getInt32(candidate + length, true) ^ view.getInt32(position + length, true);
      // Little-endian: the lowest set bit marks the first differing byte.
      if (diff !== 0) return length + ((31 - Math.clz32(diff & -diff)) >>> 3);
      length += 4;
    }
    const data = this.data;
    while (length < maxLength && data[candidate + length] === data[position + length]) length++;
    return length;
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
    let candidate = this.head[this.hashAt(position) << 1]!;
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
    let candidate = this.head[this.hashAt(position) << 1]!;
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
