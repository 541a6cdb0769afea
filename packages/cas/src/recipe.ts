/**
 * Blob recipes: how a blob is put back together. The same bytes are the
 * value of the blob in the index and the payload of its recipe record in a
 * pack, so the index can be rebuilt from packs alone.
 *
 *   recipe  = u8:kind u48:size u48:createdAtMs body
 *   inline  : body = the blob's bytes                       (kind 1)
 *   chunked : body = u32:count (sha256[32] u32:rawLength)*  (kind 2)
 *   packed  : body = u32:packId u48:payloadOffset u32:storedLength u8:codec u32:rawLength   (kind 3)
 *   expanded: body = u8:layerCodec u48:plainSize u16:paramsLength params
 *                    u32:restartCount restart* chunkList:plain chunkList:corrections       (kind 4)
 *     restart = u32:member u32:segment u48:plaintextOffset u48:compressedOffset u48:windowStart
 *     chunkList = u32:count (sha256[32] u32:rawLength)*
 *
 * Packs hold kinds 1, 2 and 4. The index holds kinds 2 and 4 as they are
 * and, for a small blob, kind 3: where its inline recipe lies in a pack, so
 * its bytes are stored once. An expanded recipe (layer-expansion.ts) names
 * a compressed layer by its uncompressed content plus what it takes to
 * compress that back to the exact original bytes.
 */
import { StrataError } from '@strata/errors';

export const RecipeKind = { Inline: 1, Chunked: 2, Packed: 3, Expanded: 4 } as const;

/** How an expanded layer was compressed. */
export const LayerCodec = { Gzip: 1, Zstd: 2 } as const;
export type LayerCodecId = (typeof LayerCodec)[keyof typeof LayerCodec];

/** Where re-encoding can start: a redeflate segment of one gzip member (offsets of the whole blob and plaintext). */
export interface ExpandedRestart {
  member: number;
  segment: number;
  plaintextOffset: number;
  compressedOffset: number;
  /** First plaintext byte the rebuild needs (the window before plaintextOffset). */
  windowStart: number;
}

const RESTART_LENGTH = 4 + 4 + 6 + 6 + 6;

/** The body of an expanded recipe. */
export interface ExpandedLayer {
  codec: LayerCodecId;
  plainSize: number;
  /** Codec parameters (JSON text for zstd; empty for gzip, whose parameters live in the corrections). */
  params: Buffer;
  restarts: ExpandedRestart[];
  /** The uncompressed content. */
  plain: RecipeChunks;
  /** The redeflate correction stream, cut in pieces (none for zstd). */
  corrections: RecipeChunks;
}

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
  | { kind: typeof RecipeKind.Packed; size: number; createdAt: number; ref: PayloadRef }
  | { kind: typeof RecipeKind.Expanded; size: number; createdAt: number; layer: ExpandedLayer };

/** Every chunk a recipe uses (an expanded one: its plaintext, then its corrections); none for inline and packed blobs. */
export function* recipeChunkRefs(recipe: Recipe): Generator<ChunkRef> {
  if (recipe.kind === RecipeKind.Chunked) yield* recipe.chunks;
  else if (recipe.kind === RecipeKind.Expanded) {
    yield* recipe.layer.plain;
    yield* recipe.layer.corrections;
  }
}

/** Whether a recipe's bytes are held by chunks (refcounted) rather than in the recipe or its record. */
export function usesChunks(recipe: Recipe): recipe is Extract<Recipe, { kind: typeof RecipeKind.Chunked | typeof RecipeKind.Expanded }> {
  return recipe.kind === RecipeKind.Chunked || recipe.kind === RecipeKind.Expanded;
}

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

export function encodeExpandedRecipe(
  layer: { codec: LayerCodecId; plainSize: number; params: Uint8Array; restarts: readonly ExpandedRestart[]; plain: readonly ChunkRef[]; corrections: readonly ChunkRef[] },
  size: number,
  createdAt: number,
): Buffer {
  const fixed = Buffer.allocUnsafe(HEAD_LENGTH + 1 + 6 + 2);
  writeHead(fixed, RecipeKind.Expanded, size, createdAt);
  let at = fixed.writeUInt8(layer.codec, HEAD_LENGTH);
  at = fixed.writeUIntLE(layer.plainSize, at, 6);
  fixed.writeUInt16LE(layer.params.byteLength, at);
  const restarts = Buffer.allocUnsafe(4 + layer.restarts.length * RESTART_LENGTH);
  at = restarts.writeUInt32LE(layer.restarts.length, 0);
  for (const point of layer.restarts) {
    at = restarts.writeUInt32LE(point.member, at);
    at = restarts.writeUInt32LE(point.segment, at);
    at = restarts.writeUIntLE(point.plaintextOffset, at, 6);
    at = restarts.writeUIntLE(point.compressedOffset, at, 6);
    at = restarts.writeUIntLE(point.windowStart, at, 6);
  }
  return Buffer.concat([fixed, layer.params, restarts, encodeChunkList(layer.plain), encodeChunkList(layer.corrections)]);
}

function decodeExpandedBody(body: Buffer): ExpandedLayer {
  const truncated = (): StrataError => new StrataError('DataLoss', 'expanded recipe is truncated');
  if (body.byteLength < 1 + 6 + 2) throw truncated();
  const codec = body.readUInt8(0);
  if (codec !== LayerCodec.Gzip && codec !== LayerCodec.Zstd) throw new StrataError('DataLoss', `unknown layer codec ${codec}`);
  const plainSize = body.readUIntLE(1, 6);
  const paramsLength = body.readUInt16LE(7);
  let at = 9 + paramsLength;
  if (body.byteLength < at + 4) throw truncated();
  const params = body.subarray(9, at);
  const restartCount = body.readUInt32LE(at);
  at += 4;
  if (body.byteLength < at + restartCount * RESTART_LENGTH + 8) throw truncated();
  const restarts: ExpandedRestart[] = [];
  for (let i = 0; i < restartCount; i++, at += RESTART_LENGTH) {
    restarts.push({
      member: body.readUInt32LE(at),
      segment: body.readUInt32LE(at + 4),
      plaintextOffset: body.readUIntLE(at + 8, 6),
      compressedOffset: body.readUIntLE(at + 14, 6),
      windowStart: body.readUIntLE(at + 20, 6),
    });
  }
  const plainEnd = at + 4 + body.readUInt32LE(at) * ENTRY_LENGTH;
  if (body.byteLength < plainEnd + 4) throw truncated();
  const plain = new RecipeChunks(body.subarray(at, plainEnd));
  const corrections = new RecipeChunks(body.subarray(plainEnd));
  return { codec: codec as LayerCodecId, plainSize, params, restarts, plain, corrections };
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
  if (kind === RecipeKind.Expanded) return { kind, size, createdAt, layer: decodeExpandedBody(body) };
  throw new StrataError('DataLoss', `unknown recipe kind ${kind}`);
}
