// Original file: cas/v1/cas.proto

import type { Lease as _strata_cas_v1_Lease, Lease__Output as _strata_cas_v1_Lease__Output } from '../../../strata/cas/v1/Lease.ts';

export interface CreateLeaseResponse {
  'lease'?: (_strata_cas_v1_Lease | null);
}

export interface CreateLeaseResponse__Output {
  'lease': (_strata_cas_v1_Lease__Output | null);
}
