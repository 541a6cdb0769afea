// Original file: cas/v1/cas.proto


export interface GetRecipeRequest {
  /**
   * The blob whose recipe is asked.
   */
  'digest'?: (string);
}

export interface GetRecipeRequest__Output {
  /**
   * The blob whose recipe is asked.
   */
  'digest': (string);
}
