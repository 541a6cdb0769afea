// Original file: cas/v1/cas.proto

import type { ChunkRef as _strata_cas_v1_ChunkRef, ChunkRef__Output as _strata_cas_v1_ChunkRef__Output } from '../../../strata/cas/v1/ChunkRef.ts';
import type { Long } from '@grpc/proto-loader';

export interface GetRecipeResponse {
  /**
   * The blob.
   */
  'digest'?: (string);
  /**
   * Its size.
   */
  'size'?: (number | string | Long);
  /**
   * True for small blobs kept whole: no chunks, read the blob instead.
   */
  'inline'?: (boolean);
  /**
   * Its chunks, in order; their lengths add up to `size`.
   */
  'chunks'?: (_strata_cas_v1_ChunkRef)[];
}

export interface GetRecipeResponse__Output {
  /**
   * The blob.
   */
  'digest': (string);
  /**
   * Its size.
   */
  'size': (number);
  /**
   * True for small blobs kept whole: no chunks, read the blob instead.
   */
  'inline': (boolean);
  /**
   * Its chunks, in order; their lengths add up to `size`.
   */
  'chunks': (_strata_cas_v1_ChunkRef__Output)[];
}
