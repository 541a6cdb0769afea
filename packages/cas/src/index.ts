export * from './content-store.ts';
export { writeBlob, readBytes, inPiecesOf, WRITE_PIECE_BYTES, type WriteBlobOptions } from './write-blob.ts';
export { openStore, Engine, type EngineOptions, type OpenReport, DEFAULT_TARGET_PACK_BYTES, DEFAULT_LEASE_TTL_MS } from './engine.ts';
export type { EngineSettings } from './engine-core.ts';
export { DEFAULT_EXPAND_MAX_BYTES, DEFAULT_EXPAND_ZSTD_LEVEL, expanderVersion, type CatchUpProgress, type CatchUpReport, type CatchUpOptions, type ExpansionResult } from './layer-expansion.ts';
export type { ExpansionMark } from './index-db.ts';
export type { StoredChunk } from './chunk-transfer.ts';
export { decodeZstdChunk } from './chunk-codec.ts';
export {
  createLayerExpander,
  expandLayer,
  rebuildExpandedBlob,
  DEFAULT_EXPAND_MAX_PLAIN_BYTES,
  ZSTD_SEARCH_PREFIX_BYTES,
  type ExpandAttempt,
  type ExpandOutcome,
  type LayerExpander,
  type LayerExpanderOptions,
  type LayerExpansion,
} from './layer-codecs.ts';
export type { RebuildReport } from './rebuild-index.ts';
export { LocalPackStore, type PackStore, type PackAppender } from './pack-store.ts';
export { S3PackStore, DEFAULT_PACK_CACHE_BYTES, DEFAULT_S3_REGION, type S3PackStoreOptions, type S3RequestCounts } from './s3-pack-store.ts';
export { parsePackLocation, openPackStore, type PackLocation, type S3PackLocation } from './pack-location.ts';
export { PackRangeCache } from './pack-range-cache.ts';
export { DEFAULT_ZSTD_LEVEL } from './chunk-codec.ts';
export { DEFAULT_INLINE_MAX_BYTES } from './store-format.ts';
export { serveContentStore, DEFAULT_MAX_MESSAGE_BYTES, type ContentStoreServer, type ServeOptions, type ServerTls } from './grpc-server.ts';
export { parseBearerTokens } from './grpc-auth.ts';
export { parseListenAddress, formatListenAddress, isLoopbackHost, type ListenAddress } from './listen-address.ts';
export { storeIndexKind } from './index-selection.ts';
export { parseIndexUrl, redactIndexUrl, withIndexSchema, type PgIndexLocation } from './pg-index-url.ts';
export { DEFAULT_INDEX_SCHEMA } from './pg-index-schema.ts';
