// Original file: cas/v1/cas.proto

import type { ChunkData as _strata_cas_v1_ChunkData, ChunkData__Output as _strata_cas_v1_ChunkData__Output } from '../../../strata/cas/v1/ChunkData.ts';

export interface PutChunksRequest {
  /**
   * Chunks to store.
   */
  'chunks'?: (_strata_cas_v1_ChunkData)[];
  /**
   * The lease that protects the chunks until a recipe uses them; only
   * read from the first request of the stream.
   */
  'lease'?: (string);
}

export interface PutChunksRequest__Output {
  /**
   * Chunks to store.
   */
  'chunks': (_strata_cas_v1_ChunkData__Output)[];
  /**
   * The lease that protects the chunks until a recipe uses them; only
   * read from the first request of the stream.
   */
  'lease': (string);
}
