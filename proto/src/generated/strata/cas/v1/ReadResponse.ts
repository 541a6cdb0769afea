// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface ReadResponse {
  /**
   * Position in the blob of `data`'s first byte.
   */
  'offset'?: (number | string | Long);
  /**
   * The next bytes of the range, in order.
   */
  'data'?: (Buffer | Uint8Array | string);
}

export interface ReadResponse__Output {
  /**
   * Position in the blob of `data`'s first byte.
   */
  'offset': (number);
  /**
   * The next bytes of the range, in order.
   */
  'data': (Buffer);
}
