import { Digester, parseDigest } from '@strata/digest';
import { isDataLoss, StrataError } from '@strata/errors';
import type { FsckDamage, FsckOptions, FsckReport } from './content-store.ts';
import type { EngineCore } from './engine-core.ts';
import { countUses } from './index-db.ts';
import { emptyCounters, type ChunkEntry, type Counters } from './layout.ts';
import { scanPack } from './pack-scan.ts';
import { readChunk, readRecipe } from './read-path.ts';
import { decodeRecipe, RecipeKind, recipeChunkRefs, usesChunks, type Recipe } from './recipe.ts';

/**
 * Verifies the whole store: every pack's structure, every chunk's bytes
 * against its digest, every recipe against the chunks it names, every
 * blob's content against its digest, and the index's refcounts and
 * counters against what the recipes imply.
 */
export async function runFsck(core: EngineCore, options: FsckOptions): Promise<FsckReport> {
  const { index, packs } = core;
  const damage: FsckDamage[] = [];
  const damagedBlobs = new Set<string>();
  const progress = options.onProgress ?? (() => {});

  // Packs: every sealed pack's trailer reads; only the newest may be open.
  const packIds = await packs.list();
  for (const packId of packIds) {
    options.signal?.throwIfAborted();
    try {
      const scan = await scanPack(packs, packId);
      if (!scan.sealed && packId !== core.packWriter.openPackId) {
        damage.push({ kind: 'pack', id: String(packId), problem: 'pack is neither sealed nor the open pack' });
      }
    } catch (error) {
      damage.push({ kind: 'pack', id: String(packId), problem: messageOf(error) });
    }
  }

  // Chunks: read in pack order and check each against its digest.
  const chunks: { digest: Buffer; entry: ChunkEntry }[] = [];
  for await (const chunk of index.chunks()) chunks.push(chunk);
  chunks.sort((a, b) => a.entry.packId - b.entry.packId || a.entry.payloadOffset - b.entry.payloadOffset);
  const badChunks = new Set<string>();
  let done = 0;
  for (const { digest, entry } of chunks) {
    options.signal?.throwIfAborted();
    try {
      await readChunk(core, digest, entry);
    } catch (error) {
      const hex = digest.toString('hex');
      badChunks.add(hex);
      damage.push({ kind: 'chunk', id: hex, problem: messageOf(error) });
    }
    if (++done % 256 === 0) progress({ phase: 'chunks', done, total: chunks.length });
  }
  progress({ phase: 'chunks', done, total: chunks.length });

  // Recipes: structure, chunk presence, lengths; and the refcounts they imply.
  const entries = new Map(chunks.map(({ digest, entry }) => [digest.toString('hex'), entry]));
  const expectedRefs = new Map<string, number>();
  const recipes: { digest: string; recipe: Recipe }[] = [];
  const counters: Counters = emptyCounters();
  for await (const { digest, recipe: bytes } of index.blobs()) {
    let recipe: Recipe;
    try {
      recipe = decodeRecipe(bytes);
    } catch (error) {
      damage.push({ kind: 'blob', id: digest, problem: messageOf(error) });
      damagedBlobs.add(digest);
      continue;
    }
    counters.blobs++;
    counters.logicalBytes += recipe.size;
    recipes.push({ digest, recipe });
    if (!usesChunks(recipe)) {
      counters.uniqueBytes += recipe.size;
      continue;
    }
    if (recipe.kind === RecipeKind.Expanded) {
      counters.expandedBlobs++;
      counters.expandedLogicalBytes += recipe.size;
    }
    let total = 0;
    // Chunks an expanded layer's plaintext is made of add up to its uncompressed size; its corrections to what they are.
    const sized = recipe.kind === RecipeKind.Expanded ? recipe.layer.plain : recipe.chunks;
    const expectedTotal = recipe.kind === RecipeKind.Expanded ? recipe.layer.plainSize : recipe.size;
    for (const [hex, uses] of countUses(recipeChunkRefs(recipe))) expectedRefs.set(hex, (expectedRefs.get(hex) ?? 0) + uses);
    for (const { length } of sized) total += length;
    for (const chunk of recipeChunkRefs(recipe)) {
      const hex = chunk.digest.toString('hex');
      const entry = entries.get(hex);
      if (!entry) {
        damage.push({ kind: 'blob', id: digest, problem: `names chunk ${hex}, which the index lacks` });
        damagedBlobs.add(digest);
      } else if (entry.rawLength !== chunk.length) {
        damage.push({ kind: 'blob', id: digest, problem: `chunk ${hex} is ${entry.rawLength} bytes, recipe says ${chunk.length}` });
        damagedBlobs.add(digest);
      } else if (badChunks.has(hex)) {
        damagedBlobs.add(digest);
      }
    }
    if (total !== expectedTotal) {
      damage.push({ kind: 'blob', id: digest, problem: `chunks add up to ${total} bytes, the recipe says ${expectedTotal}` });
      damagedBlobs.add(digest);
    }
  }
  for (const [hex, entry] of entries) {
    const refs = expectedRefs.get(hex) ?? 0;
    if (entry.refs !== refs) damage.push({ kind: 'chunk', id: hex, problem: `refcount ${entry.refs}, recipes use it ${refs} times` });
    if (refs > 0) {
      counters.liveChunks++;
      counters.uniqueBytes += entry.rawLength;
    } else {
      counters.garbageChunks++;
      counters.garbageBytes += entry.storedLength;
    }
  }
  const stored = await index.counters();
  for (const key of Object.keys(counters) as (keyof Counters)[]) {
    if (stored[key] !== counters[key]) {
      damage.push({ kind: 'index', id: key, problem: `counter is ${stored[key]}, the data says ${counters[key]}` });
    }
  }

  // Blobs: the content read back through the read path hashes to the blob's name.
  done = 0;
  for (const { digest, recipe } of recipes) {
    options.signal?.throwIfAborted();
    if (!damagedBlobs.has(digest)) {
      const problem = await verifyContent(core, digest, recipe);
      if (problem) {
        damage.push({ kind: 'blob', id: digest, problem });
        damagedBlobs.add(digest);
      }
    }
    if (++done % 16 === 0) progress({ phase: 'blobs', done, total: recipes.length });
  }
  progress({ phase: 'blobs', done, total: recipes.length });

  return {
    ok: damage.length === 0,
    chunksChecked: chunks.length,
    blobsChecked: recipes.length,
    damage,
    damagedBlobs: [...damagedBlobs].sort(),
  };
}

async function verifyContent(core: EngineCore, digest: string, recipe: Recipe): Promise<string | undefined> {
  const digester = new Digester(parseDigest(digest).algorithm);
  try {
    for await (const piece of readRecipe(core, digest, recipe, 0, recipe.size)) digester.update(piece as Buffer);
  } catch (error) {
    if (isDataLoss(error)) return messageOf(error);
    throw error;
  }
  if (digester.size !== recipe.size) return `content is ${digester.size} bytes, recipe says ${recipe.size}`;
  const actual = digester.digest();
  return actual === digest ? undefined : `content hashes to ${actual}`;
}

function messageOf(error: unknown): string {
  return error instanceof StrataError || error instanceof Error ? error.message : String(error);
}
