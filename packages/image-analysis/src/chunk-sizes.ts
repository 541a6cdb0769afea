import type { ChunkerOptions } from '@strata/chunker';

const KiB = 1024;

/** The average chunk sizes every analysis reports, smallest first. */
export const AVERAGE_CHUNK_SIZES = [16 * KiB, 64 * KiB, 256 * KiB] as const;

/** The average the engine chunks with by default, whose figures say what strata would store. */
export const ENGINE_AVERAGE_CHUNK_SIZE = 64 * KiB;

/** Chunker options around an average, in the engine's proportions (min = avg / 4, max = 4 * avg). */
export function chunkerOptionsFor(avgSize: number): ChunkerOptions {
  return { minSize: avgSize / 4, avgSize, maxSize: avgSize * 4 };
}
