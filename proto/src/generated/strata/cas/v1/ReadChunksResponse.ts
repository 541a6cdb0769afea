// Original file: cas/v1/cas.proto


export interface ReadChunksResponse {
  /**
   * The chunk's digest.
   */
  'digest'?: (string);
  /**
   * Its raw bytes, or with `zstd` its zstd frame.
   */
  'data'?: (Buffer | Uint8Array | string);
  /**
   * `data` is the zstd frame the store keeps (only with accept_zstd).
   */
  'zstd'?: (boolean);
  /**
   * The chunk's raw length (with `zstd`: what the frame decompresses to).
   */
  'rawLength'?: (number);
}

export interface ReadChunksResponse__Output {
  /**
   * The chunk's digest.
   */
  'digest': (string);
  /**
   * Its raw bytes, or with `zstd` its zstd frame.
   */
  'data': (Buffer);
  /**
   * `data` is the zstd frame the store keeps (only with accept_zstd).
   */
  'zstd': (boolean);
  /**
   * The chunk's raw length (with `zstd`: what the frame decompresses to).
   */
  'rawLength': (number);
}
