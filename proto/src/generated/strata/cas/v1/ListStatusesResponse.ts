// Original file: cas/v1/cas.proto

import type { IngestStatus as _strata_cas_v1_IngestStatus, IngestStatus__Output as _strata_cas_v1_IngestStatus__Output } from '../../../strata/cas/v1/IngestStatus.ts';

export interface ListStatusesResponse {
  /**
   * Every write in progress, by ref.
   */
  'statuses'?: (_strata_cas_v1_IngestStatus)[];
}

export interface ListStatusesResponse__Output {
  /**
   * Every write in progress, by ref.
   */
  'statuses': (_strata_cas_v1_IngestStatus__Output)[];
}
