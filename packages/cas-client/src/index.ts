export { connectContentStore, type ConnectOptions, type ClientTls } from './connect.ts';
export { RemoteContentStore } from './remote-store.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
export {
  pushFileByChunks,
  pullByChunks,
  chunkFile,
  fileChunkSource,
  type ChunkedFile,
  type LocalChunkSource,
  type ChunkFileOptions,
  type PullOptions,
  type PullReport,
  type PushReport,
} from './chunk-sync.ts';
