// Original file: cas/v1/cas.proto

import type { ChunkRef as _strata_cas_v1_ChunkRef, ChunkRef__Output as _strata_cas_v1_ChunkRef__Output } from '../../../strata/cas/v1/ChunkRef.ts';
import type { Long } from '@grpc/proto-loader';

/**
 * A gzip or zstd layer the store keeps as its uncompressed content. Its
 * bytes are the plaintext re-encoded with `codec` and `params` (zstd) or
 * the corrections (gzip, redeflate's stream); a client checks the result
 * against the blob's digest.
 */
export interface ExpandedLayer {
  /**
   * "gzip" or "zstd".
   */
  'codec'?: (string);
  /**
   * Codec parameters: JSON text for zstd, empty for gzip.
   */
  'params'?: (Buffer | Uint8Array | string);
  /**
   * Bytes of plaintext.
   */
  'plainSize'?: (number | string | Long);
  /**
   * The plaintext's chunks, in order (cut tar-aware with the store's chunking).
   */
  'plain'?: (_strata_cas_v1_ChunkRef)[];
  /**
   * The correction stream's chunks, in order (none for zstd).
   */
  'corrections'?: (_strata_cas_v1_ChunkRef)[];
}

/**
 * A gzip or zstd layer the store keeps as its uncompressed content. Its
 * bytes are the plaintext re-encoded with `codec` and `params` (zstd) or
 * the corrections (gzip, redeflate's stream); a client checks the result
 * against the blob's digest.
 */
export interface ExpandedLayer__Output {
  /**
   * "gzip" or "zstd".
   */
  'codec': (string);
  /**
   * Codec parameters: JSON text for zstd, empty for gzip.
   */
  'params': (Buffer);
  /**
   * Bytes of plaintext.
   */
  'plainSize': (number);
  /**
   * The plaintext's chunks, in order (cut tar-aware with the store's chunking).
   */
  'plain': (_strata_cas_v1_ChunkRef__Output)[];
  /**
   * The correction stream's chunks, in order (none for zstd).
   */
  'corrections': (_strata_cas_v1_ChunkRef__Output)[];
}
