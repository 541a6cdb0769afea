/**
 * The layout of a strata CAS data directory and of its LMDB index: one
 * place for every path and key, versioned. FORMAT.md describes the bytes.
 *
 *   <dir>/
 *   ├── FORMAT             JSON: { format: "strata-cas", version, chunker, zstdLevel, inlineMaxBytes }
 *   ├── LOCK               pid of the process that has the store open
 *   ├── INDEX              JSON { kind: "postgresql", storeId, schema }: only when the index is in
 *   │                      PostgreSQL (pg-index-schema.ts draws its tables; index-selection.ts)
 *   ├── cache/
 *   │   └── blob-sha256-<hex>  materialized hot blobs (hot-cache.ts), bounded, disposable
 *   ├── packs/
 *   │   ├── 00000001.pack  append-only pack files: chunks, recipes, tombstones
 *   │   └── ...
 *   └── index/
 *       index.mdb          LMDB environment (index.mdb-lock beside it)
 *       ├── v1/chunks      sha256 (32 raw bytes)    -> ChunkEntry (23 bytes)
 *       ├── v1/blobs       "sha256:<hex>" (string)  -> recipe (recipe.ts)
 *       ├── v1/meta        "counters"               -> Counters (msgpack)
 *                          "durable"                -> { packId, length }: the open pack is on
 *                                                      disk at least this far (msgpack)
 *       ├── v1/ingests     write ref (string)       -> IngestCheckpoint (msgpack): a closed write
 *       ├── v1/leases      lease id (string)        -> { createdAt, expiresAt, labels } (msgpack)
 *       └── v1/lease-resources
 *                          "<lease id>\0<resource>" -> true; resource = "blob:<digest>" | "chunk:<hex>"
 *
 * ChunkEntry = u32:packId u48:payloadOffset u32:storedLength u32:rawLength u8:codec u32:refs
 */
import { join } from 'node:path';

export const FORMAT_NAME = 'strata-cas';
export const FORMAT_VERSION = 1;

export function formatFile(dir: string): string {
  return join(dir, 'FORMAT');
}

export function lockFile(dir: string): string {
  return join(dir, 'LOCK');
}

export function packsDir(dir: string): string {
  return join(dir, 'packs');
}

export function cacheDir(dir: string): string {
  return join(dir, 'cache');
}

export function indexDir(dir: string): string {
  return join(dir, 'index');
}

export const INDEX_FILE = 'index.mdb';

export const DB_CHUNKS = `v${FORMAT_VERSION}/chunks`;
export const DB_BLOBS = `v${FORMAT_VERSION}/blobs`;
export const DB_META = `v${FORMAT_VERSION}/meta`;
export const DB_INGESTS = `v${FORMAT_VERSION}/ingests`;
export const DB_LEASES = `v${FORMAT_VERSION}/leases`;
export const DB_LEASE_RESOURCES = `v${FORMAT_VERSION}/lease-resources`;
/** Blobs whose expansion was tried and left them as they were (digest -> ExpansionMark). */
export const DB_EXPANSION_MARKS = `v${FORMAT_VERSION}/expansion-marks`;
export const KEY_COUNTERS = 'counters';
export const KEY_DURABLE = 'durable';

/** Where a chunk lies and how many recipe entries use it. */
export interface ChunkEntry {
  packId: number;
  payloadOffset: number;
  storedLength: number;
  rawLength: number;
  codec: number;
  refs: number;
}

export const CHUNK_ENTRY_LENGTH = 23;

export function encodeChunkEntry(entry: ChunkEntry): Buffer {
  const bytes = Buffer.allocUnsafe(CHUNK_ENTRY_LENGTH);
  bytes.writeUInt32LE(entry.packId, 0);
  bytes.writeUIntLE(entry.payloadOffset, 4, 6);
  bytes.writeUInt32LE(entry.storedLength, 10);
  bytes.writeUInt32LE(entry.rawLength, 14);
  bytes.writeUInt8(entry.codec, 18);
  bytes.writeUInt32LE(entry.refs, 19);
  return bytes;
}

export function decodeChunkEntry(bytes: Uint8Array): ChunkEntry {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    packId: b.readUInt32LE(0),
    payloadOffset: b.readUIntLE(4, 6),
    storedLength: b.readUInt32LE(10),
    rawLength: b.readUInt32LE(14),
    codec: b.readUInt8(18),
    refs: b.readUInt32LE(19),
  };
}

/** Running totals kept in the index, updated in the same transaction as the data they count. */
export interface Counters {
  blobs: number;
  logicalBytes: number;
  /** Chunks with refs > 0. */
  liveChunks: number;
  /** Raw bytes of live chunks plus inline blob bytes. */
  uniqueBytes: number;
  /** Chunks in the index with refs = 0, and their stored bytes. */
  garbageChunks: number;
  garbageBytes: number;
  /** Blobs held as expanded layers, and the sum of their (compressed) sizes. */
  expandedBlobs: number;
  expandedLogicalBytes: number;
}

export function emptyCounters(): Counters {
  return { blobs: 0, logicalBytes: 0, liveChunks: 0, uniqueBytes: 0, garbageChunks: 0, garbageBytes: 0, expandedBlobs: 0, expandedLogicalBytes: 0 };
}

/** Key of one resource a lease holds. Lease ids never contain NUL, so a lease's keys are one range. */
export function leaseResourceKey(lease: string, resource: string): string {
  return `${lease}\u0000${resource}`;
}
