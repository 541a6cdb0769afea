// Original file: cas/v1/cas.proto

import type { WriteAction as _strata_cas_v1_WriteAction, WriteAction__Output as _strata_cas_v1_WriteAction__Output } from '../../../strata/cas/v1/WriteAction.ts';
import type { Long } from '@grpc/proto-loader';

export interface WriteRequest {
  /**
   * What this request does.
   */
  'action'?: (_strata_cas_v1_WriteAction);
  /**
   * The transaction's name. Required on the first request of a stream;
   * later requests may leave it empty but must not name another ref.
   */
  'ref'?: (string);
  /**
   * WRITE: where `data` goes; must equal the transaction's offset.
   */
  'offset'?: (number | string | Long);
  /**
   * WRITE: the bytes to append.
   */
  'data'?: (Buffer | Uint8Array | string);
  /**
   * Expected total size of the blob. On the first request it is recorded
   * with the transaction (writing past it is OUT_OF_RANGE); on COMMIT it is
   * checked (SIZE_MISMATCH).
   */
  'total'?: (number | string | Long);
  /**
   * Expected digest of the blob. Recorded and checked like `total`.
   */
  'expectedDigest'?: (string);
  /**
   * First request only: the committed blob is added to this lease
   * (NOT_FOUND when the lease does not exist).
   */
  'lease'?: (string);
  '_total'?: "total";
}

export interface WriteRequest__Output {
  /**
   * What this request does.
   */
  'action': (_strata_cas_v1_WriteAction__Output);
  /**
   * The transaction's name. Required on the first request of a stream;
   * later requests may leave it empty but must not name another ref.
   */
  'ref': (string);
  /**
   * WRITE: where `data` goes; must equal the transaction's offset.
   */
  'offset': (number);
  /**
   * WRITE: the bytes to append.
   */
  'data': (Buffer);
  /**
   * Expected total size of the blob. On the first request it is recorded
   * with the transaction (writing past it is OUT_OF_RANGE); on COMMIT it is
   * checked (SIZE_MISMATCH).
   */
  'total'?: (number);
  /**
   * Expected digest of the blob. Recorded and checked like `total`.
   */
  'expectedDigest': (string);
  /**
   * First request only: the committed blob is added to this lease
   * (NOT_FOUND when the lease does not exist).
   */
  'lease': (string);
  '_total'?: "total";
}
