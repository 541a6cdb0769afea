// Original file: cas/v1/cas.proto


export interface FindMissingChunksRequest {
  /**
   * Raw SHA-256 hex chunk digests.
   */
  'digests'?: (string)[];
}

export interface FindMissingChunksRequest__Output {
  /**
   * Raw SHA-256 hex chunk digests.
   */
  'digests': (string)[];
}
