// Original file: cas/v1/cas.proto


/**
 * A chunk's bytes.
 */
export interface ChunkData {
  /**
   * Raw SHA-256 hex of `data`; checked when given.
   */
  'digest'?: (string);
  /**
   * The chunk's raw bytes.
   */
  'data'?: (Buffer | Uint8Array | string);
}

/**
 * A chunk's bytes.
 */
export interface ChunkData__Output {
  /**
   * Raw SHA-256 hex of `data`; checked when given.
   */
  'digest': (string);
  /**
   * The chunk's raw bytes.
   */
  'data': (Buffer);
}
