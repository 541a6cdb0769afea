export {
  DEFAULT_SEGMENT_BYTES,
  type DeflateExpansion,
  DeflateExpander,
  type DeflateExpanderResult,
  type ExpandOptions,
  type ExpandStats,
  type RestartPoint,
  expandDeflate,
} from './expand-deflate.ts';
export {
  DeflateRebuilder,
  SEGMENT_LOOKAHEAD,
  rebuildDeflateStream,
  rebuildSegmentBytes,
  reconstructDeflate,
} from './rebuild-deflate.ts';
export { RebuildPool, type RebuildPoolOptions } from './rebuild-pool.ts';
export {
  type GzipMember,
  type GzipRestartPoint,
  type ParsedGzip,
  GzipRebuilder,
  isGzip,
  parseGzip,
  rebuildGzipStream,
  reconstructGzip,
} from './gzip.ts';
export { GzipExpander, type GzipExpanderResult, type GzipExpansion, type GzipMemberStats, expandGzip } from './gzip-expander.ts';
export { expandVerified } from './expand-verified.ts';
export { type ModelParams, zlibLevelParams } from './match-model.ts';
export { CORRECTIONS_VERSION, type ParsedCorrections, type SegmentEntry, readCorrections } from './corrections.ts';
