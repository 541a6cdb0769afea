// Original file: cas/v1/cas.proto


export interface CollectGarbageRequest {
  /**
   * Report what would be reclaimed; change nothing.
   */
  'dryRun'?: (boolean);
  /**
   * Packs whose live fraction (live record bytes / pack bytes) is below this
   * are compacted; the store's default (0.5) when unset. 0 compacts nothing
   * but packs with no live record at all.
   */
  'minLiveFraction'?: (number | string);
  '_minLiveFraction'?: "minLiveFraction";
}

export interface CollectGarbageRequest__Output {
  /**
   * Report what would be reclaimed; change nothing.
   */
  'dryRun': (boolean);
  /**
   * Packs whose live fraction (live record bytes / pack bytes) is below this
   * are compacted; the store's default (0.5) when unset. 0 compacts nothing
   * but packs with no live record at all.
   */
  'minLiveFraction'?: (number);
  '_minLiveFraction'?: "minLiveFraction";
}
