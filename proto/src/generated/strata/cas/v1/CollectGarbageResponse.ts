// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface CollectGarbageResponse {
  /**
   * True when nothing was changed.
   */
  'dryRun'?: (boolean);
  /**
   * Chunks no blob, lease or open write referenced, removed from the index.
   */
  'chunksSwept'?: (number | string | Long);
  /**
   * Packs whose live records were copied to new packs.
   */
  'packsCompacted'?: (number | string | Long);
  /**
   * Pack files deleted.
   */
  'packsDeleted'?: (number | string | Long);
  /**
   * Bytes of live records copied by compaction.
   */
  'bytesCopied'?: (number | string | Long);
  /**
   * Bytes given back to the disk: deleted packs minus the copies.
   */
  'bytesReclaimed'?: (number | string | Long);
  /**
   * How long the collection took.
   */
  'durationMs'?: (number | string | Long);
}

export interface CollectGarbageResponse__Output {
  /**
   * True when nothing was changed.
   */
  'dryRun': (boolean);
  /**
   * Chunks no blob, lease or open write referenced, removed from the index.
   */
  'chunksSwept': (number);
  /**
   * Packs whose live records were copied to new packs.
   */
  'packsCompacted': (number);
  /**
   * Pack files deleted.
   */
  'packsDeleted': (number);
  /**
   * Bytes of live records copied by compaction.
   */
  'bytesCopied': (number);
  /**
   * Bytes given back to the disk: deleted packs minus the copies.
   */
  'bytesReclaimed': (number);
  /**
   * How long the collection took.
   */
  'durationMs': (number);
}
