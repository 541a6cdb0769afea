// Original file: cas/v1/cas.proto


export interface DeleteRequest {
  /**
   * The blob to delete.
   */
  'digest'?: (string);
}

export interface DeleteRequest__Output {
  /**
   * The blob to delete.
   */
  'digest': (string);
}
