// Original file: cas/v1/cas.proto


export interface ReleaseLeaseRequest {
  /**
   * The lease to end.
   */
  'id'?: (string);
}

export interface ReleaseLeaseRequest__Output {
  /**
   * The lease to end.
   */
  'id': (string);
}
