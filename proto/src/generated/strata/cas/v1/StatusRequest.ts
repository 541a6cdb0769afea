// Original file: cas/v1/cas.proto


export interface StatusRequest {
  /**
   * The write to describe.
   */
  'ref'?: (string);
}

export interface StatusRequest__Output {
  /**
   * The write to describe.
   */
  'ref': (string);
}
