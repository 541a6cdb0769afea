// Original file: cas/v1/cas.proto


export interface AbortRequest {
  /**
   * The write to end.
   */
  'ref'?: (string);
}

export interface AbortRequest__Output {
  /**
   * The write to end.
   */
  'ref': (string);
}
