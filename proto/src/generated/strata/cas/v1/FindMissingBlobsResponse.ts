// Original file: cas/v1/cas.proto


export interface FindMissingBlobsResponse {
  /**
   * The digests the store does not hold, in request order.
   */
  'missing'?: (string)[];
}

export interface FindMissingBlobsResponse__Output {
  /**
   * The digests the store does not hold, in request order.
   */
  'missing': (string)[];
}
