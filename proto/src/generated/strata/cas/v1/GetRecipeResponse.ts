// Original file: cas/v1/cas.proto

import type { ChunkRef as _strata_cas_v1_ChunkRef, ChunkRef__Output as _strata_cas_v1_ChunkRef__Output } from '../../../strata/cas/v1/ChunkRef.ts';
import type { ExpandedLayer as _strata_cas_v1_ExpandedLayer, ExpandedLayer__Output as _strata_cas_v1_ExpandedLayer__Output } from '../../../strata/cas/v1/ExpandedLayer.ts';
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
   * True for blobs without chunks of their own bytes: small blobs kept
   * whole and expanded layers. Read the blob instead, or rebuild an
   * expanded layer from `expanded`.
   */
  'inline'?: (boolean);
  /**
   * Its chunks, in order; their lengths add up to `size`.
   */
  'chunks'?: (_strata_cas_v1_ChunkRef)[];
  /**
   * Set for an expanded layer: how its bytes are rebuilt from chunks.
   */
  'expanded'?: (_strata_cas_v1_ExpandedLayer | null);
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
   * True for blobs without chunks of their own bytes: small blobs kept
   * whole and expanded layers. Read the blob instead, or rebuild an
   * expanded layer from `expanded`.
   */
  'inline': (boolean);
  /**
   * Its chunks, in order; their lengths add up to `size`.
   */
  'chunks': (_strata_cas_v1_ChunkRef__Output)[];
  /**
   * Set for an expanded layer: how its bytes are rebuilt from chunks.
   */
  'expanded': (_strata_cas_v1_ExpandedLayer__Output | null);
}
