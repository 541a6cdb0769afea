// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadRequest {
  /**
   * The blob to read.
   */
  'digest'?: (string);
  /**
   * First byte to read; 0 by default.
   */
  'offset'?: (number | string | Long);
  /**
   * Bytes to read from `offset`, clipped at the end of the blob; absent reads
   * to the end.
   */
  'length'?: (number | string | Long);
  '_length'?: "length";
}

export interface ReadRequest__Output {
  /**
   * The blob to read.
   */
  'digest': (string);
  /**
   * First byte to read; 0 by default.
   */
  'offset': (number);
  /**
   * Bytes to read from `offset`, clipped at the end of the blob; absent reads
   * to the end.
   */
  'length'?: (number);
  '_length'?: "length";
}
