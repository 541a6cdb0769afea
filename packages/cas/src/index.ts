export * from './content-store.ts';
export { writeBlob, readBytes, type WriteBlobOptions } from './write-blob.ts';
export { openStore, Engine, type EngineOptions, type OpenReport, DEFAULT_TARGET_PACK_BYTES, DEFAULT_LEASE_TTL_MS } from './engine.ts';
export type { EngineSettings } from './engine-core.ts';
export type { RebuildReport } from './rebuild-index.ts';
export { LocalPackStore, type PackStore, type PackAppender } from './pack-store.ts';
export { DEFAULT_ZSTD_LEVEL } from './chunk-codec.ts';
export { DEFAULT_INLINE_MAX_BYTES } from './store-format.ts';
