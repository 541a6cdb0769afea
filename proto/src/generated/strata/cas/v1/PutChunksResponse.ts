// Original file: cas/v1/cas.proto


export interface PutChunksResponse {
  /**
   * Digests of the chunks stored, in the order they were sent.
   */
  'digests'?: (string)[];
}

export interface PutChunksResponse__Output {
  /**
   * Digests of the chunks stored, in the order they were sent.
   */
  'digests': (string)[];
}
