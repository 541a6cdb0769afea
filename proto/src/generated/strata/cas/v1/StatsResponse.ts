// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface StatsResponse {
  /**
   * Blobs the store holds.
   */
  'blobs'?: (number | string | Long);
  /**
   * Distinct chunks referenced by at least one blob.
   */
  'chunks'?: (number | string | Long);
  /**
   * Sum of blob sizes.
   */
  'logicalBytes'?: (number | string | Long);
  /**
   * Raw bytes of distinct live chunks plus inline blob bytes.
   */
  'uniqueBytes'?: (number | string | Long);
  /**
   * Bytes on disk: packs plus index.
   */
  'storedBytes'?: (number | string | Long);
  /**
   * logical_bytes / stored_bytes (0 for an empty store).
   */
  'dedupRatio'?: (number | string);
  /**
   * Chunks no blob references any more, and their stored bytes.
   */
  'garbageChunks'?: (number | string | Long);
  'garbageBytes'?: (number | string | Long);
  /**
   * Pack files.
   */
  'packs'?: (number | string | Long);
}

export interface StatsResponse__Output {
  /**
   * Blobs the store holds.
   */
  'blobs': (number);
  /**
   * Distinct chunks referenced by at least one blob.
   */
  'chunks': (number);
  /**
   * Sum of blob sizes.
   */
  'logicalBytes': (number);
  /**
   * Raw bytes of distinct live chunks plus inline blob bytes.
   */
  'uniqueBytes': (number);
  /**
   * Bytes on disk: packs plus index.
   */
  'storedBytes': (number);
  /**
   * logical_bytes / stored_bytes (0 for an empty store).
   */
  'dedupRatio': (number);
  /**
   * Chunks no blob references any more, and their stored bytes.
   */
  'garbageChunks': (number);
  'garbageBytes': (number);
  /**
   * Pack files.
   */
  'packs': (number);
}
