// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What the store knows about one blob.
 */
export interface BlobStat {
  /**
   * The blob's digest, canonical form.
   */
  'digest'?: (string);
  /**
   * Content size in bytes.
   */
  'size'?: (number | string | Long);
  /**
   * When the blob was first committed.
   */
  'createdAtMs'?: (number | string | Long);
}

/**
 * What the store knows about one blob.
 */
export interface BlobStat__Output {
  /**
   * The blob's digest, canonical form.
   */
  'digest': (string);
  /**
   * Content size in bytes.
   */
  'size': (number);
  /**
   * When the blob was first committed.
   */
  'createdAtMs': (number);
}
