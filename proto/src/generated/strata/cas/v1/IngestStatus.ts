// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

/**
 * The state of a write in progress.
 */
export interface IngestStatus {
  /**
   * The transaction's name.
   */
  'ref'?: (string);
  /**
   * Bytes accepted so far: where a resumed write continues.
   */
  'offset'?: (number | string | Long);
  /**
   * Expected total size, when one was given.
   */
  'total'?: (number | string | Long);
  /**
   * Expected digest, when one was given.
   */
  'expectedDigest'?: (string);
  'startedAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  '_total'?: "total";
}

/**
 * The state of a write in progress.
 */
export interface IngestStatus__Output {
  /**
   * The transaction's name.
   */
  'ref': (string);
  /**
   * Bytes accepted so far: where a resumed write continues.
   */
  'offset': (number);
  /**
   * Expected total size, when one was given.
   */
  'total'?: (number);
  /**
   * Expected digest, when one was given.
   */
  'expectedDigest': (string);
  'startedAtMs': (number);
  'updatedAtMs': (number);
  '_total'?: "total";
}
