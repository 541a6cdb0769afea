// Original file: cas/v1/cas.proto

/**
 * What a Write request asks for.
 */
export const WriteAction = {
  /**
   * Invalid: every request names its action.
   */
  WRITE_ACTION_UNSPECIFIED: 'WRITE_ACTION_UNSPECIFIED',
  /**
   * Report the transaction's state without writing.
   */
  STAT: 'STAT',
  /**
   * Append `data` at `offset`.
   */
  WRITE: 'WRITE',
  /**
   * Check and make the blob visible; ends the stream.
   */
  COMMIT: 'COMMIT',
} as const;

/**
 * What a Write request asks for.
 */
export type WriteAction =
  /**
   * Invalid: every request names its action.
   */
  | 'WRITE_ACTION_UNSPECIFIED'
  | 0
  /**
   * Report the transaction's state without writing.
   */
  | 'STAT'
  | 1
  /**
   * Append `data` at `offset`.
   */
  | 'WRITE'
  | 2
  /**
   * Check and make the blob visible; ends the stream.
   */
  | 'COMMIT'
  | 3

/**
 * What a Write request asks for.
 */
export type WriteAction__Output = typeof WriteAction[keyof typeof WriteAction]
