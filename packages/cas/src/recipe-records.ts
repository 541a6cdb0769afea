import { StrataError } from '@strata/errors';
import { decodePayload, encodeChunk } from './chunk-codec.ts';
import type { EngineCore } from './engine-core.ts';
import { RecordType } from './pack-format.ts';
import type { DurablePoint } from './pack-writer.ts';
import { decodeRecipe, encodePackedRecipe, RecipeKind, type PayloadRef } from './recipe.ts';

/**
 * Appends a blob's recipe (kind inline or chunked) to the open pack, zstd
 * compressed when that helps, makes it durable, and returns what the index
 * keeps for the blob: the chunked recipe itself, or for an inline one a
 * packed recipe pointing at the record.
 */
export async function appendRecipe(core: EngineCore, digest: string, recipe: Buffer): Promise<{ indexValue: Buffer; durable: DurablePoint }> {
  const { codec, payload } = encodeChunk(recipe, core.settings.zstdLevel);
  const [where] = await core.packWriter.append([
    { type: RecordType.Recipe, codec, key: Buffer.from(digest), rawLength: recipe.byteLength, payload },
  ]);
  const durable = await core.packWriter.sync();
  return { indexValue: indexValueOf(recipe, { ...where!, codec, rawLength: recipe.byteLength }), durable };
}

/** What the index keeps for a recipe stored at `ref`. */
export function indexValueOf(recipe: Buffer, ref: PayloadRef): Buffer {
  const decoded = decodeRecipe(recipe);
  if (decoded.kind !== RecipeKind.Inline) return recipe;
  return encodePackedRecipe(decoded.size, decoded.createdAt, ref);
}

/** Decodes a recipe record's stored payload. */
export function decodeRecipePayload(payload: Buffer, codec: number, rawLength: number): Buffer {
  return decodePayload(payload, codec, rawLength, 'recipe record');
}

/** The bytes of a small blob whose inline recipe lies in a pack. */
export async function loadPackedBytes(core: EngineCore, ref: PayloadRef): Promise<Buffer> {
  const payload = await core.packs.read(ref.packId, ref.payloadOffset, ref.storedLength);
  const recipe = decodeRecipe(decodeRecipePayload(payload, ref.codec, ref.rawLength));
  if (recipe.kind !== RecipeKind.Inline) throw new StrataError('DataLoss', 'packed recipe does not point at an inline recipe');
  return recipe.data;
}
