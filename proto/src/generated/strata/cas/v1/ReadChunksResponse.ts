// Original file: cas/v1/cas.proto


export interface ReadChunksResponse {
  /**
   * The chunk's digest.
   */
  'digest'?: (string);
  /**
   * Its raw bytes.
   */
  'data'?: (Buffer | Uint8Array | string);
}

export interface ReadChunksResponse__Output {
  /**
   * The chunk's digest.
   */
  'digest': (string);
  /**
   * Its raw bytes.
   */
  'data': (Buffer);
}
