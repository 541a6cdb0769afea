export {
  type ChunkerOptions,
  DEFAULT_CHUNKER_OPTIONS,
  validateChunkerOptions,
} from './options.ts';
export { NEED_MORE_BYTES, findCutPoint, cutPoints } from './cut-point.ts';
export { Chunker, type PreferredCuts } from './chunker.ts';
export { TarChunker, tarChunkStream, tarCutPoints } from './tar-chunker.ts';
export { chunkStream } from './chunk-stream.ts';
export { GEAR_SEED, gearTable } from './gear.ts';
