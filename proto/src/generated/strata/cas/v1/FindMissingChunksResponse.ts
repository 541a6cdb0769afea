// Original file: cas/v1/cas.proto


export interface FindMissingChunksResponse {
  /**
   * The chunk digests the store lacks, in request order.
   */
  'missing'?: (string)[];
}

export interface FindMissingChunksResponse__Output {
  /**
   * The chunk digests the store lacks, in request order.
   */
  'missing': (string)[];
}
