// Original file: cas/v1/cas.proto

import type { FsckDamage as _strata_cas_v1_FsckDamage, FsckDamage__Output as _strata_cas_v1_FsckDamage__Output } from '../../../strata/cas/v1/FsckDamage.ts';
import type { Long } from '@grpc/proto-loader';

export interface FsckResponse {
  /**
   * True when nothing is damaged.
   */
  'ok'?: (boolean);
  'chunksChecked'?: (number | string | Long);
  'blobsChecked'?: (number | string | Long);
  'damage'?: (_strata_cas_v1_FsckDamage)[];
  /**
   * Blobs that cannot be read back bit-exact.
   */
  'damagedBlobs'?: (string)[];
}

export interface FsckResponse__Output {
  /**
   * True when nothing is damaged.
   */
  'ok': (boolean);
  'chunksChecked': (number);
  'blobsChecked': (number);
  'damage': (_strata_cas_v1_FsckDamage__Output)[];
  /**
   * Blobs that cannot be read back bit-exact.
   */
  'damagedBlobs': (string)[];
}
