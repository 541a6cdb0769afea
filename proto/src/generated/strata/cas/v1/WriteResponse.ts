// Original file: cas/v1/cas.proto

import type { WriteAction as _strata_cas_v1_WriteAction, WriteAction__Output as _strata_cas_v1_WriteAction__Output } from '../../../strata/cas/v1/WriteAction.ts';
import type { Long } from '@grpc/proto-loader';

export interface WriteResponse {
  /**
   * The action answered: STAT (also answers the opening request) or COMMIT.
   */
  'action'?: (_strata_cas_v1_WriteAction);
  /**
   * The transaction's ref.
   */
  'ref'?: (string);
  /**
   * Bytes accepted so far; after COMMIT, the blob's size.
   */
  'offset'?: (number | string | Long);
  /**
   * Expected total size, when known.
   */
  'total'?: (number | string | Long);
  /**
   * Expected digest when known; after COMMIT, the committed digest.
   */
  'digest'?: (string);
  /**
   * When the transaction started and last changed.
   */
  'startedAtMs'?: (number | string | Long);
  'updatedAtMs'?: (number | string | Long);
  /**
   * COMMIT: false when the store already held the digest ("already
   * exists" is a success).
   */
  'created'?: (boolean);
  '_total'?: "total";
}

export interface WriteResponse__Output {
  /**
   * The action answered: STAT (also answers the opening request) or COMMIT.
   */
  'action': (_strata_cas_v1_WriteAction__Output);
  /**
   * The transaction's ref.
   */
  'ref': (string);
  /**
   * Bytes accepted so far; after COMMIT, the blob's size.
   */
  'offset': (number);
  /**
   * Expected total size, when known.
   */
  'total'?: (number);
  /**
   * Expected digest when known; after COMMIT, the committed digest.
   */
  'digest': (string);
  /**
   * When the transaction started and last changed.
   */
  'startedAtMs': (number);
  'updatedAtMs': (number);
  /**
   * COMMIT: false when the store already held the digest ("already
   * exists" is a success).
   */
  'created': (boolean);
  '_total'?: "total";
}
