import { StrataError } from '@strata/errors';
import { GEAR } from './gear.ts';
import { type ChunkParams, type ChunkerOptions, DEFAULT_CHUNKER_OPTIONS, GEAR_WINDOW, resolveChunkParams } from './options.ts';

/** What `findCutPoint` returns when the chunk may still end past the bytes it was given. */
export const NEED_MORE_BYTES = -1;

/**
 * The FastCDC cut-point search, with normalized chunking.
 *
 * A chunk starting at `start` may end after L bytes for any L in
 * [minSize, maxSize]. L is a cut point when the gear hash of the 32 bytes
 * ending at byte `start + L - 1` has all bits of a mask clear: the strict
 * mask (more bits, so cuts are rarer) while L < avgSize, the loose mask from
 * avgSize on. Candidates below minSize are never hashed (cut-point skipping)
 * except for the window's worth of bytes before the first one, so every
 * decision depends on exactly the 32 bytes before the cut and not on where
 * the chunk started: that keeps boundaries stable around edits, and lets a
 * streaming caller resume a search without rescanning.
 *
 * `scanned` is the largest candidate length already rejected for this chunk
 * (0 when none): the search resumes after it.
 */
export function scanForCut(
  data: Uint8Array,
  start: number,
  end: number,
  params: ChunkParams,
  final: boolean,
  scanned: number,
): number {
  const available = end - start;
  const first = Math.max(params.minSize, scanned + 1);
  if (available < first) return final ? available : NEED_MORE_BYTES;

  const gear = GEAR;
  const limit = Math.min(available, params.maxSize);
  // Byte indexes: the candidate of length L hashes byte start + L - 1.
  const strictEnd = start + Math.min(params.avgSize - 1, limit);
  const looseEnd = start + limit;
  const strictMask = params.strictMask;
  const looseMask = params.looseMask;

  let hash = 0;
  let i = start + first - GEAR_WINDOW;
  const warmEnd = start + first - 1;
  for (; i < warmEnd; i++) hash = ((hash << 1) + gear[data[i]!]!) | 0;
  for (; i < strictEnd; i++) {
    hash = ((hash << 1) + gear[data[i]!]!) | 0;
    if ((hash & strictMask) === 0) return i - start + 1;
  }
  for (; i < looseEnd; i++) {
    hash = ((hash << 1) + gear[data[i]!]!) | 0;
    if ((hash & looseMask) === 0) return i - start + 1;
  }
  if (limit === params.maxSize) return params.maxSize;
  return final ? available : NEED_MORE_BYTES;
}

/**
 * The length of the chunk that starts at `start`, given the bytes in
 * [start, end) of `data`.
 *
 * - A positive length when the chunk ends within those bytes: at a cut
 *   point, at maxSize, or (only when `final` says no more bytes follow) at
 *   `end`. The answer never changes when more bytes are appended.
 * - `NEED_MORE_BYTES` (-1) when `final` is false and the chunk may end past
 *   `end`: no cut point before `end` and fewer than maxSize bytes available.
 *   A streaming caller appends bytes and asks again.
 * - 0 when `final` is true and start === end: nothing left to chunk.
 *
 * Pure: it reads `data` and nothing else. Throws InvalidArgument for invalid
 * options or a range outside `data`.
 */
export function findCutPoint(
  data: Uint8Array,
  start: number,
  end: number,
  options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS,
  final = false,
): number {
  if (!(data instanceof Uint8Array)) {
    throw new StrataError('InvalidArgument', 'findCutPoint needs a Uint8Array');
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > data.length) {
    throw new StrataError('InvalidArgument', 'findCutPoint range is outside the data', {
      details: { start, end, length: data.length },
    });
  }
  return scanForCut(data, start, end, resolveChunkParams(options), final, 0);
}

/**
 * The end offset of every chunk of `data` taken as a whole stream, in order:
 * the last equals data.length; empty input has no chunks.
 */
export function cutPoints(data: Uint8Array, options: ChunkerOptions = DEFAULT_CHUNKER_OPTIONS): number[] {
  if (!(data instanceof Uint8Array)) throw new StrataError('InvalidArgument', 'cutPoints needs a Uint8Array');
  const params = resolveChunkParams(options);
  const ends: number[] = [];
  for (let offset = 0; offset < data.length; ) {
    offset += scanForCut(data, offset, data.length, params, true, 0);
    ends.push(offset);
  }
  return ends;
}
