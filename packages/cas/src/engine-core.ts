import type { ChunkerOptions } from '@strata/chunker';
import type { BlobLocks } from './blob-locks.ts';
import type { ChunkPins } from './chunk-pins.ts';
import type { CompressPool } from './compress-pool.ts';
import type { HotCache } from './hot-cache.ts';
import type { EngineIndex } from './index-db.ts';
import type { PackStore } from './pack-store.ts';
import type { PackWriter } from './pack-writer.ts';
import type { PendingChunks } from './pending-chunks.ts';
import type { UnindexedAppends } from './unindexed-appends.ts';

/** The parts of an open engine that its ingest, read and admin paths share. */
export interface EngineCore {
  readonly index: EngineIndex;
  readonly packs: PackStore;
  readonly packWriter: PackWriter;
  readonly pool: CompressPool;
  readonly pending: PendingChunks;
  /** Indexed chunks that writes in progress rely on (garbage collection keeps them). */
  readonly pins: ChunkPins;
  /** Serializes the pack records and index changes of one blob (commit, delete, compaction). */
  readonly blobLocks: BlobLocks;
  /** Appends not yet reflected in the index (compaction leaves their packs alone). */
  readonly unindexed: UnindexedAppends;
  readonly settings: EngineSettings;
  readonly hotCache: HotCache;
  /** Whether ingests copy their blob into the hot cache as it arrives. */
  readonly cacheIngests: boolean;
  /** Told of every blob a commit created (layer expansion queues it). */
  readonly afterCommit: ((digest: string, size: number) => void) | undefined;
}

/** Fixed when a store is created and recorded in its FORMAT file. */
export interface EngineSettings {
  chunker: ChunkerOptions;
  zstdLevel: number;
  /** Blobs up to this size are kept whole in their recipe instead of chunked. */
  inlineMaxBytes: number;
}

/**
 * Pins a chunk and says whether the index holds it (and it is not being
 * swept). The pin comes first: see ChunkPins for why that order makes
 * dedup against the index safe while garbage collection runs.
 */
export function pinIfIndexed(core: EngineCore, digest: Buffer, hex: string): boolean {
  core.pins.hold(hex);
  return core.index.hasChunk(digest) && !core.pins.isSweeping(hex);
}
