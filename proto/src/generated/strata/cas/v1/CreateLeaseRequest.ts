// Original file: cas/v1/cas.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateLeaseRequest {
  /**
   * The lease's name; the server picks one when empty.
   */
  'id'?: (string);
  /**
   * Time to live; the server's default (24 hours) when absent.
   */
  'ttlMs'?: (number | string | Long);
  /**
   * Free-form labels kept with the lease.
   */
  'labels'?: ({[key: string]: string});
  '_ttlMs'?: "ttlMs";
}

export interface CreateLeaseRequest__Output {
  /**
   * The lease's name; the server picks one when empty.
   */
  'id': (string);
  /**
   * Time to live; the server's default (24 hours) when absent.
   */
  'ttlMs'?: (number);
  /**
   * Free-form labels kept with the lease.
   */
  'labels': ({[key: string]: string});
  '_ttlMs'?: "ttlMs";
}
