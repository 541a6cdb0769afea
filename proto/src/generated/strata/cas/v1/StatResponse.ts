// Original file: cas/v1/cas.proto

import type { BlobStat as _strata_cas_v1_BlobStat, BlobStat__Output as _strata_cas_v1_BlobStat__Output } from '../../../strata/cas/v1/BlobStat.ts';

export interface StatResponse {
  /**
   * The blob's size and creation time.
   */
  'stat'?: (_strata_cas_v1_BlobStat | null);
}

export interface StatResponse__Output {
  /**
   * The blob's size and creation time.
   */
  'stat': (_strata_cas_v1_BlobStat__Output | null);
}
