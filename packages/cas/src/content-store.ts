/**
 * The roles a content store plays. Helpers take the narrowest role they
 * need; `ContentStore` composes them. The in-process engine, the gRPC client
 * and the in-memory fake all implement `ContentStore` and pass the one
 * conformance suite in @strata/cas-testsuite.
 *
 * Digests are OCI digest strings (`sha256:<hex>`, `sha512:<hex>` accepted).
 * Every failure is a StrataError from @strata/errors; callers branch on its
 * code through the guards (`isNotFound(e)`), never on the message.
 */
import type { Readable } from 'node:stream';

/** What a store knows about one blob. */
export interface BlobStat {
  digest: string;
  /** Size in bytes of the blob's content. */
  size: number;
  /** When the blob was committed (first committed, for blobs written again). */
  createdAt: Date;
}

export interface ReadOptions {
  /** First byte to read; 0 by default. Past the end of the blob: OutOfRange. */
  offset?: number;
  /** Bytes to read from `offset`; to the end by default, clipped at the end. */
  length?: number;
  /** Aborting ends the stream with a Cancelled error and releases its resources. */
  signal?: AbortSignal;
}

/** An open read: the byte range that `body` will yield, and the blob it is from. */
export interface BlobRead {
  stat: BlobStat;
  offset: number;
  length: number;
  /** The bytes, with backpressure. Damaged content fails the stream with DataLoss, never yields it. */
  body: Readable;
}

/** Read role. */
export interface BlobReader {
  /**
   * Opens a blob (or a byte range of it) for reading. Resolves once the blob
   * is known to exist and the range is valid, so callers can send headers
   * before the first byte. NotFound when the store lacks the blob,
   * OutOfRange when `offset` is past its end, InvalidArgument for a
   * malformed digest or a negative offset or length.
   */
  read(digest: string, options?: ReadOptions): Promise<BlobRead>;
}

/** Info role. */
export interface BlobInfo {
  /** The blob's size and creation time. NotFound when absent. */
  stat(digest: string): Promise<BlobStat>;
  /** The subset of `digests` the store does not hold, in the order given. */
  findMissing(digests: readonly string[]): Promise<string[]>;
}

/** What a writer is expected to commit; checked at commit. */
export interface Expected {
  digest?: string;
  size?: number;
}

export interface WriterOptions {
  /** Checked at commit (and `size` also while writing: exceeding it is OutOfRange). */
  expected?: Expected;
  /** The committed blob is added to this lease (NotFound when the lease does not exist). */
  lease?: string;
}

/** The state of a write in progress. */
export interface IngestStatus {
  ref: string;
  /** Bytes accepted so far: where a resumed write continues. */
  offset: number;
  expected: Expected;
  startedAt: Date;
  updatedAt: Date;
}

export interface CommitResult {
  digest: string;
  size: number;
  /** False when the store already held the digest: "already exists" is a success. */
  created: boolean;
}

/**
 * A write transaction named by a ref. Bytes are hashed while they stream in;
 * nothing is visible before `commit` succeeds.
 */
export interface BlobWriter {
  readonly ref: string;
  /** Bytes accepted so far. */
  readonly offset: number;
  /**
   * Appends bytes. When `at` is given it must equal `offset` (OutOfRange
   * otherwise), which is how a resumed writer proves it knows where it is.
   */
  write(bytes: Uint8Array, at?: number): Promise<void>;
  /**
   * Checks size and digest against `expected` (merged over the writer's
   * options), makes the blob durable, then visible. DigestMismatch or
   * SizeMismatch store nothing and end the transaction. Committing a digest
   * the store already holds succeeds with `created: false`.
   */
  commit(expected?: Expected): Promise<CommitResult>;
  /** Ends the transaction and drops its bytes. Idempotent. */
  abort(): Promise<void>;
  /**
   * Releases the ref without ending the transaction, so that a later
   * `writer(ref)` resumes at `offset` — in the in-process engine even after
   * the store is closed and opened again. Idempotent.
   */
  close(): Promise<void>;
}

/** Ingest role. */
export interface BlobIngester {
  /**
   * Opens the write transaction named by `ref`, or resumes it at its offset
   * when it exists and nobody holds it. Unavailable while another writer
   * holds the ref (details.heldForMs says for how long).
   */
  writer(ref: string, options?: WriterOptions): Promise<BlobWriter>;
}

/** Manages writes in progress. */
export interface IngestManager {
  /** NotFound when no write is open under `ref`. */
  status(ref: string): Promise<IngestStatus>;
  listIngests(): Promise<IngestStatus[]>;
  /** Aborts the write named by `ref`; idempotent (absent refs are fine). */
  abortIngest(ref: string): Promise<void>;
}

/** Manager role. */
export interface BlobManager {
  /**
   * Deletes a blob: unreadable at once. The space of chunks no other blob
   * uses becomes garbage (reclaimed by GC). NotFound when absent.
   */
  delete(digest: string): Promise<void>;
  /** Every blob the store holds, in digest order. */
  list(options?: { signal?: AbortSignal }): AsyncIterable<BlobStat>;
}

/** The whole store. */
export interface ContentStore extends BlobReader, BlobInfo, BlobIngester, IngestManager, BlobManager {
  /** Finishes or aborts in-flight work and releases files. Idempotent. */
  close(): Promise<void>;
}

/** Space and dedup figures. */
export interface StoreStats {
  blobs: number;
  /** Distinct chunks referenced by at least one blob. */
  chunks: number;
  /** Sum of blob sizes. */
  logicalBytes: number;
  /** Sum of the raw sizes of distinct live chunks plus inline blob bytes. */
  uniqueBytes: number;
  /** Bytes on disk: packs plus index. */
  storedBytes: number;
  /** Bytes of materialized hot blobs kept to serve repeated reads fast (not part of storedBytes). */
  hotCacheBytes?: number;
  /** logicalBytes / storedBytes (0 for an empty store). */
  dedupRatio: number;
  /** Chunks no blob references any more, and their stored bytes. */
  garbageChunks: number;
  garbageBytes: number;
  packs: number;
  /** Compressed layers held expanded (deduplicated by their uncompressed content), and the sum of their sizes. */
  expandedBlobs?: number;
  expandedLogicalBytes?: number;
}

export interface FsckDamage {
  /** What is damaged: a chunk, a blob (recipe or content), a pack, or the index's own counts. */
  kind: 'chunk' | 'blob' | 'pack' | 'index';
  id: string;
  problem: string;
}

export interface FsckReport {
  ok: boolean;
  chunksChecked: number;
  blobsChecked: number;
  damage: FsckDamage[];
  /** Blobs that cannot be read back bit-exact because of the damage. */
  damagedBlobs: string[];
}

export interface FsckOptions {
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; phase: string }) => void;
}

export interface GcOptions {
  /** Report what would be reclaimed; change nothing. */
  dryRun?: boolean;
  /**
   * Packs whose live fraction (live record bytes / pack bytes) is below this
   * are compacted; 0.5 by default. Packs with no live record are always
   * removed (so 0 compacts nothing else, 1 everything). InvalidArgument
   * outside [0, 1].
   */
  minLiveFraction?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; phase: string }) => void;
}

export interface GcReport {
  dryRun: boolean;
  /** Chunks no blob, lease or open write referenced, removed from the index (in a dry run: that would be). */
  chunksSwept: number;
  /** Packs rewritten (live records copied to new packs) and packs deleted. */
  packsCompacted: number;
  packsDeleted: number;
  /** Bytes of live records copied by compaction. */
  bytesCopied: number;
  /** Bytes given back to the file system (or object store): deleted packs minus new ones. */
  bytesReclaimed: number;
  durationMs: number;
}

/** Admin role: figures, verification and garbage collection. */
export interface StoreAdmin {
  stats(): Promise<StoreStats>;
  fsck(options?: FsckOptions): Promise<FsckReport>;
  /**
   * Online GC: sweeps chunks nothing references (blobs, live leases, open or
   * checkpointed writes) and compacts sparse packs while reads and writes go
   * on. A write that began before and commits after never references a
   * swept chunk.
   */
  collectGarbage(options?: GcOptions): Promise<GcReport>;
}

/** The chunking a store uses; a client cuts with the same to share chunks. */
export interface ChunkingParams {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/** A blob as its ordered chunks (raw sha256 hex and length of each). */
export interface BlobRecipe {
  digest: string;
  size: number;
  /**
   * True for blobs without chunks of their own bytes: small blobs kept
   * whole, and expanded layers. Read them instead, or rebuild an expanded
   * layer from `expanded`.
   */
  inline: boolean;
  chunks: { digest: string; length: number }[];
  /** An expanded layer: its compressed bytes are rebuilt from these chunks (see rebuildExpandedBlob). */
  expanded?: ExpandedBlobRecipe;
}

/**
 * An expanded layer as chunk-aware transfer describes it. The plaintext
 * chunks are cut tar-aware (a client holding similar layer tars cuts them
 * the same way to share them); the corrections are redeflate's stream for
 * gzip, none for zstd.
 */
export interface ExpandedBlobRecipe {
  codec: 'gzip' | 'zstd';
  /** Codec parameters: JSON text for zstd, empty for gzip. */
  params: Buffer;
  plainSize: number;
  plain: { digest: string; length: number }[];
  corrections: { digest: string; length: number }[];
}

export interface ChunkData {
  /** Raw sha256 hex of `data`; checked when given (DigestMismatch). */
  digest?: string;
  data: Uint8Array;
}

/**
 * Chunk-aware transfer: a client that already holds most of a blob's chunks
 * moves only the others. Chunk digests are lowercase hex SHA-256 of the raw
 * chunk bytes (no algorithm prefix).
 */
export interface ChunkTransfer {
  chunking(): Promise<ChunkingParams>;
  /** NotFound when the store lacks the blob. */
  getRecipe(digest: string): Promise<BlobRecipe>;
  /** The subset of `digests` the store lacks, in the order given. */
  findMissingChunks(digests: readonly string[]): Promise<string[]>;
  /**
   * Stores chunks (each checked against its digest when one is given) and
   * returns their digests. Until a recipe uses them they are garbage, kept
   * from collection only by `lease`.
   */
  putChunks(chunks: readonly ChunkData[], options?: { lease?: string }): Promise<string[]>;
  /** The chunks' raw bytes, in the order asked. NotFound for a chunk the store lacks. */
  readChunks(digests: readonly string[], options?: { signal?: AbortSignal }): AsyncIterable<{ digest: string; data: Buffer }>;
  /**
   * Commits a blob made of chunks the store holds. FailedPrecondition (with
   * details.missing) when some are missing; the content is hashed and must
   * match `expected` (DigestMismatch / SizeMismatch otherwise).
   */
  commitRecipe(
    expected: { digest: string; size: number },
    chunks: readonly { digest: string; length: number }[],
    options?: { lease?: string },
  ): Promise<CommitResult>;
}

export interface LeaseInfo {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  labels: Record<string, string>;
}

/**
 * Leases protect content that is not referenced yet (chunks put ahead of
 * their recipe, blobs pushed ahead of the manifest that names them): garbage
 * collection treats everything under a live lease as a root.
 */
export interface LeaseManager {
  /** AlreadyExists when `id` is taken. The default time to live is 24 hours. */
  createLease(options?: { id?: string; ttlMs?: number; labels?: Record<string, string> }): Promise<LeaseInfo>;
  /** Ends a lease; what it protected becomes collectable. NotFound when absent. */
  releaseLease(id: string): Promise<void>;
  /** Live leases (expired ones are gone). */
  listLeases(): Promise<LeaseInfo[]>;
}
