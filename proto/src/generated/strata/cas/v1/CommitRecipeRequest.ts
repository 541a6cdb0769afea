// Original file: cas/v1/cas.proto

import type { ChunkRef as _strata_cas_v1_ChunkRef, ChunkRef__Output as _strata_cas_v1_ChunkRef__Output } from '../../../strata/cas/v1/ChunkRef.ts';
import type { Long } from '@grpc/proto-loader';

export interface CommitRecipeRequest {
  /**
   * Digest the assembled blob must have.
   */
  'digest'?: (string);
  /**
   * Size the assembled blob must have.
   */
  'size'?: (number | string | Long);
  /**
   * The blob's chunks, in order.
   */
  'chunks'?: (_strata_cas_v1_ChunkRef)[];
  /**
   * The committed blob is added to this lease when given.
   */
  'lease'?: (string);
}

export interface CommitRecipeRequest__Output {
  /**
   * Digest the assembled blob must have.
   */
  'digest': (string);
  /**
   * Size the assembled blob must have.
   */
  'size': (number);
  /**
   * The blob's chunks, in order.
   */
  'chunks': (_strata_cas_v1_ChunkRef__Output)[];
  /**
   * The committed blob is added to this lease when given.
   */
  'lease': (string);
}
