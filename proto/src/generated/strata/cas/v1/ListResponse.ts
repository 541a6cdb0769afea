// Original file: cas/v1/cas.proto

import type { BlobStat as _strata_cas_v1_BlobStat, BlobStat__Output as _strata_cas_v1_BlobStat__Output } from '../../../strata/cas/v1/BlobStat.ts';

export interface ListResponse {
  /**
   * The next blobs, in digest order.
   */
  'blobs'?: (_strata_cas_v1_BlobStat)[];
}

export interface ListResponse__Output {
  /**
   * The next blobs, in digest order.
   */
  'blobs': (_strata_cas_v1_BlobStat__Output)[];
}
