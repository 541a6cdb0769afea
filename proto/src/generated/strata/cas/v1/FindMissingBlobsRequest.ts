// Original file: cas/v1/cas.proto


export interface FindMissingBlobsRequest {
  /**
   * Blob digests to look up.
   */
  'digests'?: (string)[];
}

export interface FindMissingBlobsRequest__Output {
  /**
   * Blob digests to look up.
   */
  'digests': (string)[];
}
