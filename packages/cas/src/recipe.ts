/**
 * Blob recipes: how a blob is put back together. The same bytes are the
 * value of the blob in the index and the payload of its recipe record in a
 * pack, so the index can be rebuilt from packs alone.
 *
 *   recipe  = u8:kind u48:size u48:createdAtMs body
 *   inline  : body = the blob's bytes                       (kind 1)
 *   chunked : body = u32:count (sha256[32] u32:rawLength)*  (kind 2)
 *   packed  : body = u32:packId u48:payloadOffset u32:storedLength u8:codec u32:rawLength   (kind 3)
 *
 * Packs hold kinds 1 and 2. The index holds kind 2 as it is and, for a
 * small blob, kind 3: where its inline recipe lies in a pack, so its bytes
 * are stored once.
 */
import { StrataError } from '@strata/errors';

export const RecipeKind = { Inline: 1, Chunked: 2, Packed: 3 } as const;

/** Where a record's payload lies in a pack and how it is stored. */
export interface PayloadRef {
  packId: number;
  payloadOffset: number;
  storedLength: number;
  codec: number;
  rawLength: number;
}

const PACKED_BODY_LENGTH = 4 + 6 + 4 + 1 + 4;

const HEAD_LENGTH = 1 + 6 + 6;
const ENTRY_LENGTH = 36;

export interface ChunkRef {
  /** Raw sha256 of the chunk's bytes. */
  digest: Buffer;
  length: number;
}

export type Recipe =
  | { kind: typeof RecipeKind.Inline; size: number; createdAt: number; data: Buffer }
  | { kind: typeof RecipeKind.Chunked; size: number; createdAt: number; chunks: RecipeChunks }
  | { kind: typeof RecipeKind.Packed; size: number; createdAt: number; ref: PayloadRef };

/** A chunked recipe's entries, read lazily from the encoded bytes. */
export class RecipeChunks {
  readonly #bytes: Buffer;
  readonly count: number;
  #ends: Float64Array | undefined;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.count = bytes.readUInt32LE(0);
    if (bytes.byteLength !== 4 + this.count * ENTRY_LENGTH) {
      throw new StrataError('DataLoss', 'recipe chunk list has the wrong length');
    }
  }

  digest(index: number): Buffer {
    const at = 4 + index * ENTRY_LENGTH;
    return this.#bytes.subarray(at, at + 32);
  }

  length(index: number): number {
    return this.#bytes.readUInt32LE(4 + index * ENTRY_LENGTH + 32);
  }

  /** End offset (exclusive) of each chunk in the blob. */
  ends(): Float64Array {
    if (!this.#ends) {
      const ends = new Float64Array(this.count);
      let end = 0;
      for (let i = 0; i < this.count; i++) {
        end += this.length(i);
        ends[i] = end;
      }
      this.#ends = ends;
    }
    return this.#ends;
  }

  /** The index of the chunk holding byte `offset` (offset < blob size). */
  indexAt(offset: number): number {
    const ends = this.ends();
    let low = 0;
    let high = ends.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (ends[middle]! <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  *[Symbol.iterator](): IterableIterator<ChunkRef> {
    for (let i = 0; i < this.count; i++) yield { digest: this.digest(i), length: this.length(i) };
  }
}

export function encodeInlineRecipe(data: Uint8Array, createdAt: number): Buffer {
  const bytes = Buffer.allocUnsafe(HEAD_LENGTH + data.byteLength);
  writeHead(bytes, RecipeKind.Inline, data.byteLength, createdAt);
  bytes.set(data, HEAD_LENGTH);
  return bytes;
}

/** A bare chunk list: u32:count (sha256[32] u32:rawLength)*. */
export function encodeChunkList(chunks: readonly ChunkRef[]): Buffer {
  const bytes = Buffer.allocUnsafe(4 + chunks.length * ENTRY_LENGTH);
  let at = bytes.writeUInt32LE(chunks.length, 0);
  for (const chunk of chunks) {
    at += chunk.digest.copy(bytes, at);
    at = bytes.writeUInt32LE(chunk.length, at);
  }
  return bytes;
}

export function decodeChunkList(bytes: Buffer): RecipeChunks {
  return new RecipeChunks(bytes);
}

export function encodeChunkedRecipe(chunks: readonly ChunkRef[], size: number, createdAt: number): Buffer {
  const head = Buffer.allocUnsafe(HEAD_LENGTH);
  writeHead(head, RecipeKind.Chunked, size, createdAt);
  return Buffer.concat([head, encodeChunkList(chunks)]);
}

export function encodePackedRecipe(size: number, createdAt: number, ref: PayloadRef): Buffer {
  const bytes = Buffer.allocUnsafe(HEAD_LENGTH + PACKED_BODY_LENGTH);
  writeHead(bytes, RecipeKind.Packed, size, createdAt);
  let at = bytes.writeUInt32LE(ref.packId, HEAD_LENGTH);
  at = bytes.writeUIntLE(ref.payloadOffset, at, 6);
  at = bytes.writeUInt32LE(ref.storedLength, at);
  at = bytes.writeUInt8(ref.codec, at);
  bytes.writeUInt32LE(ref.rawLength, at);
  return bytes;
}

function writeHead(bytes: Buffer, kind: number, size: number, createdAt: number): void {
  bytes.writeUInt8(kind, 0);
  bytes.writeUIntLE(size, 1, 6);
  bytes.writeUIntLE(createdAt, 7, 6);
}

export function decodeRecipe(bytes: Buffer): Recipe {
  if (bytes.byteLength < HEAD_LENGTH) throw new StrataError('DataLoss', 'recipe is truncated');
  const kind = bytes.readUInt8(0);
  const size = bytes.readUIntLE(1, 6);
  const createdAt = bytes.readUIntLE(7, 6);
  const body = bytes.subarray(HEAD_LENGTH);
  if (kind === RecipeKind.Inline) {
    if (body.byteLength !== size) throw new StrataError('DataLoss', 'inline recipe has the wrong length');
    return { kind, size, createdAt, data: body };
  }
  if (kind === RecipeKind.Chunked) {
    if (body.byteLength < 4) throw new StrataError('DataLoss', 'recipe is truncated');
    return { kind, size, createdAt, chunks: new RecipeChunks(body) };
  }
  if (kind === RecipeKind.Packed) {
    if (body.byteLength !== PACKED_BODY_LENGTH) throw new StrataError('DataLoss', 'packed recipe has the wrong length');
    return {
      kind,
      size,
      createdAt,
      ref: {
        packId: body.readUInt32LE(0),
        payloadOffset: body.readUIntLE(4, 6),
        storedLength: body.readUInt32LE(10),
        codec: body.readUInt8(14),
        rawLength: body.readUInt32LE(15),
      },
    };
  }
  throw new StrataError('DataLoss', `unknown recipe kind ${kind}`);
}
