// Original file: cas/v1/cas.proto


/**
 * One problem fsck found.
 */
export interface FsckDamage {
  /**
   * "chunk", "blob", "pack" or "index".
   */
  'kind'?: (string);
  /**
   * What is damaged: a chunk digest, blob digest, pack id or index name.
   */
  'id'?: (string);
  /**
   * What is wrong with it.
   */
  'problem'?: (string);
}

/**
 * One problem fsck found.
 */
export interface FsckDamage__Output {
  /**
   * "chunk", "blob", "pack" or "index".
   */
  'kind': (string);
  /**
   * What is damaged: a chunk digest, blob digest, pack id or index name.
   */
  'id': (string);
  /**
   * What is wrong with it.
   */
  'problem': (string);
}
