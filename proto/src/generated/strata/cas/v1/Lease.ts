// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface Lease {
  /**
   * The lease's name.
   */
  'id'?: (string);
  'createdAtMs'?: (number | string | Long);
  /**
   * After this the lease is gone and protects nothing.
   */
  'expiresAtMs'?: (number | string | Long);
  /**
   * Free-form labels given at creation.
   */
  'labels'?: ({[key: string]: string});
}

export interface Lease__Output {
  /**
   * The lease's name.
   */
  'id': (string);
  'createdAtMs': (number);
  /**
   * After this the lease is gone and protects nothing.
   */
  'expiresAtMs': (number);
  /**
   * Free-form labels given at creation.
   */
  'labels': ({[key: string]: string});
}
