// Original file: cas/v1/cas.proto


export interface ReadChunksRequest {
  /**
   * Raw SHA-256 hex digests of the chunks to read, in the order wanted.
   */
  'digests'?: (string)[];
  /**
   * The client takes a chunk the store keeps compressed as its stored zstd
   * frame (`zstd` set in the response), decompresses it and checks it
   * against its digest. Otherwise every chunk comes as raw bytes.
   */
  'acceptZstd'?: (boolean);
}

export interface ReadChunksRequest__Output {
  /**
   * Raw SHA-256 hex digests of the chunks to read, in the order wanted.
   */
  'digests': (string)[];
  /**
   * The client takes a chunk the store keeps compressed as its stored zstd
   * frame (`zstd` set in the response), decompresses it and checks it
   * against its digest. Otherwise every chunk comes as raw bytes.
   */
  'acceptZstd': (boolean);
}
