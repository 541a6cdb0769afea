import { StrataError } from '@strata/errors';

/**
 * Chunk size parameters. They are part of a store's format (recorded in its
 * header): the same bytes chunked with other parameters give other chunks.
 */
export interface ChunkerOptions {
  /** No cut before this many bytes (the last chunk of a stream may be shorter). */
  minSize: number;
  /** Target average chunk size; a power of two. */
  avgSize: number;
  /** A chunk is cut here at the latest. */
  maxSize: number;
  /**
   * FastCDC normalization level: how many mask bits are added before
   * `avgSize` and removed after it. Higher levels concentrate chunk sizes
   * around the average. 2 by default.
   */
  normalization?: number;
}

export const DEFAULT_CHUNKER_OPTIONS: Readonly<Required<ChunkerOptions>> = Object.freeze({
  minSize: 16 * 1024,
  avgSize: 64 * 1024,
  maxSize: 256 * 1024,
  normalization: 2,
});

/**
 * Bytes of input each cut decision depends on: the gear hash shifts one bit
 * per byte, so after 32 bytes a 32-bit hash holds nothing older.
 */
export const GEAR_WINDOW = 32;

/** Smallest minSize accepted: the hash window must fit before the first candidate. */
export const MIN_MIN_SIZE = 2 * GEAR_WINDOW;

/** Largest maxSize accepted; a streaming chunker buffers up to this much. */
export const MAX_MAX_SIZE = 1024 * 1024 * 1024;

/** Options checked and resolved into what the cut-point loop needs. */
export interface ChunkParams {
  readonly minSize: number;
  readonly avgSize: number;
  readonly maxSize: number;
  readonly normalization: number;
  /** Mask before avgSize: log2(avgSize) + normalization bits. */
  readonly strictMask: number;
  /** Mask from avgSize on: log2(avgSize) - normalization bits. */
  readonly looseMask: number;
}

function invalid(message: string, options: unknown): StrataError {
  return new StrataError('InvalidArgument', message, { details: { options } });
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * The mask bits sit at the top of the 32-bit hash: bit k of the gear hash
 * depends on the last k + 1 bytes, so the top bits are the ones that see the
 * whole window (and carry the most mixing).
 */
function topBitsMask(bits: number): number {
  return bits === 0 ? 0 : (~0 << (32 - bits)) | 0;
}

/**
 * Checks options and returns them complete (normalization filled in).
 * Throws StrataError InvalidArgument when they are not safe integers, when
 * minSize < 64, when avgSize is not a power of two, unless
 * minSize < avgSize < maxSize <= 1 GiB, or when the normalization level is
 * not an integer that leaves both masks between 1 and 32 bits.
 */
export function validateChunkerOptions(options: ChunkerOptions): Required<ChunkerOptions> {
  if (typeof options !== 'object' || options === null) throw invalid('chunker options must be an object', options);
  const { minSize, avgSize, maxSize } = options;
  const normalization = options.normalization ?? DEFAULT_CHUNKER_OPTIONS.normalization;
  for (const [name, value] of Object.entries({ minSize, avgSize, maxSize, normalization })) {
    if (!Number.isSafeInteger(value)) throw invalid(`chunker ${name} must be an integer`, options);
  }
  if (minSize < MIN_MIN_SIZE) throw invalid(`chunker minSize must be at least ${MIN_MIN_SIZE}`, options);
  if (!isPowerOfTwo(avgSize) || avgSize > MAX_MAX_SIZE) throw invalid('chunker avgSize must be a power of two', options);
  if (!(minSize < avgSize && avgSize < maxSize)) {
    throw invalid('chunker sizes must satisfy minSize < avgSize < maxSize', options);
  }
  if (maxSize > MAX_MAX_SIZE) throw invalid(`chunker maxSize must be at most ${MAX_MAX_SIZE}`, options);
  const bits = Math.log2(avgSize);
  if (normalization < 0 || bits - normalization < 1 || bits + normalization > 32) {
    throw invalid('chunker normalization must leave both masks between 1 and 32 bits', options);
  }
  return { minSize, avgSize, maxSize, normalization };
}

/** Validates options and derives the masks. */
export function resolveChunkParams(options: ChunkerOptions): ChunkParams {
  const valid = validateChunkerOptions(options);
  const bits = Math.log2(valid.avgSize);
  return {
    ...valid,
    strictMask: topBitsMask(bits + valid.normalization),
    looseMask: topBitsMask(bits - valid.normalization),
  };
}
