/**
 * `@strata/cas/codecs`: what a client of a remote store needs to turn the
 * chunks it pulled into blob bytes, without loading the engine (its index,
 * packs and object-store clients).
 */
export { decodeZstdChunk } from './chunk-codec.ts';
export { rebuildExpandedBlob } from './layer-codecs.ts';
