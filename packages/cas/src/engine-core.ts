import type { ChunkerOptions } from '@strata/chunker';
import type { CompressPool } from './compress-pool.ts';
import type { HotCache } from './hot-cache.ts';
import type { EngineIndex } from './index-db.ts';
import type { PackStore } from './pack-store.ts';
import type { PackWriter } from './pack-writer.ts';
import type { PendingChunks } from './pending-chunks.ts';

/** The parts of an open engine that its ingest, read and admin paths share. */
export interface EngineCore {
  readonly index: EngineIndex;
  readonly packs: PackStore;
  readonly packWriter: PackWriter;
  readonly pool: CompressPool;
  readonly pending: PendingChunks;
  readonly settings: EngineSettings;
  readonly hotCache: HotCache;
  /** Whether ingests copy their blob into the hot cache as it arrives. */
  readonly cacheIngests: boolean;
}

/** Fixed when a store is created and recorded in its FORMAT file. */
export interface EngineSettings {
  chunker: ChunkerOptions;
  zstdLevel: number;
  /** Blobs up to this size are kept whole in their recipe instead of chunked. */
  inlineMaxBytes: number;
}
