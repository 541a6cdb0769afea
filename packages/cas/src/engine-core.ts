import type { ChunkerOptions } from '@strata/chunker';
import type { BlobLocks } from './blob-locks.ts';
import type { ChunkPins } from './chunk-pins.ts';
import type { CompressPool } from './compress-pool.ts';
import type { HotCache } from './hot-cache.ts';
import type { EngineIndex } from './index-db.ts';
import type { PackStore } from './pack-store.ts';
import type { PackWriter } from './pack-writer.ts';
import type { PendingChunks } from './pending-chunks.ts';
import type { RebuildThreads } from './rebuild-threads.ts';
import type { UnindexedAppends } from './unindexed-appends.ts';

/** The parts of an open engine that its ingest, read and admin paths share. */
export interface EngineCore {
  readonly index: EngineIndex;
  readonly packs: PackStore;
  readonly packWriter: PackWriter;
  readonly pool: CompressPool;
  /** Threads that rebuild expanded gzip layers for reads. */
  readonly rebuilds: RebuildThreads;
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
 * Pins chunks and says which of them the index holds (and are not being
 * swept), with one index lookup. The pins come first: see ChunkPins for why
 * that order makes dedup against the index safe while garbage collection
 * runs. A chunk being swept when its pin is taken counts as absent whatever
 * the lookup says, since the lookup may still see the sweep's transaction
 * as uncommitted.
 */
export async function pinIfIndexed(core: EngineCore, digests: readonly Buffer[]): Promise<boolean[]> {
  const sweeping = digests.map((digest) => {
    const hex = digest.toString('hex');
    core.pins.hold(hex);
    return core.pins.isSweeping(hex);
  });
  const asked = digests.filter((_, i) => !sweeping[i]);
  const found = asked.length === 0 ? [] : await core.index.hasChunks(asked);
  let at = 0;
  return digests.map((_, i) => (sweeping[i] ? false : found[at++]!));
}
