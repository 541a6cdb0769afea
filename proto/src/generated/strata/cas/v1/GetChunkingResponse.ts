// Original file: cas/v1/cas.proto


export interface GetChunkingResponse {
  /**
   * FastCDC parameters of the store (normalization level 2).
   */
  'minSize'?: (number);
  'avgSize'?: (number);
  'maxSize'?: (number);
}

export interface GetChunkingResponse__Output {
  /**
   * FastCDC parameters of the store (normalization level 2).
   */
  'minSize': (number);
  'avgSize': (number);
  'maxSize': (number);
}
