// Original file: cas/v1/cas.proto


export interface StatRequest {
  /**
   * The blob to describe.
   */
  'digest'?: (string);
}

export interface StatRequest__Output {
  /**
   * The blob to describe.
   */
  'digest': (string);
}
