// Original file: cas/v1/cas.proto

import type { IngestStatus as _strata_cas_v1_IngestStatus, IngestStatus__Output as _strata_cas_v1_IngestStatus__Output } from '../../../strata/cas/v1/IngestStatus.ts';

export interface StatusResponse {
  'status'?: (_strata_cas_v1_IngestStatus | null);
}

export interface StatusResponse__Output {
  'status': (_strata_cas_v1_IngestStatus__Output | null);
}
