export { expandDeflate, type DeflateExpansion, type ExpandOptions, type ExpandStats, type RestartPoint, DEFAULT_SEGMENT_BYTES } from './expand-deflate.ts';
export { reconstructDeflate, DeflateRebuilder, rebuildDeflateStream } from './rebuild-deflate.ts';
export { type ModelParams, zlibLevelParams } from './match-model.ts';
export { readCorrections, type ParsedCorrections, type SegmentEntry, CORRECTIONS_VERSION } from './corrections.ts';
