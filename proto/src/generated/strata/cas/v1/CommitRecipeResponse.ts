// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface CommitRecipeResponse {
  'digest'?: (string);
  'size'?: (number | string | Long);
  /**
   * False when the store already held the blob.
   */
  'created'?: (boolean);
}

export interface CommitRecipeResponse__Output {
  'digest': (string);
  'size': (number);
  /**
   * False when the store already held the blob.
   */
  'created': (boolean);
}
