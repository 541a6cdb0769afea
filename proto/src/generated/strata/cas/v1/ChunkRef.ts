// Original file: cas/v1/cas.proto


/**
 * One chunk of a recipe.
 */
export interface ChunkRef {
  /**
   * Raw SHA-256 hex of the chunk's bytes.
   */
  'digest'?: (string);
  /**
   * The chunk's length in bytes.
   */
  'length'?: (number);
}

/**
 * One chunk of a recipe.
 */
export interface ChunkRef__Output {
  /**
   * Raw SHA-256 hex of the chunk's bytes.
   */
  'digest': (string);
  /**
   * The chunk's length in bytes.
   */
  'length': (number);
}
