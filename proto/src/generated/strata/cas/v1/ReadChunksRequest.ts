// Original file: cas/v1/cas.proto


export interface ReadChunksRequest {
  /**
   * Raw SHA-256 hex digests of the chunks to read, in the order wanted.
   */
  'digests'?: (string)[];
}

export interface ReadChunksRequest__Output {
  /**
   * Raw SHA-256 hex digests of the chunks to read, in the order wanted.
   */
  'digests': (string)[];
}
