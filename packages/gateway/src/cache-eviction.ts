/**
 * Build-cache mode: keep the store's bytes on disk within a budget by
 * evicting the least recently pulled images (never pulled: by push time).
 *
 * An image is a manifest nothing else in its repository points at (not an
 * index's child, not a referrer) together with its children and referrers.
 * Evicting it deletes its tags and manifests first, then unlinks the blobs
 * only it used in its repository; a collection then deletes from the store
 * what no repository links and compacts the packs. So a manifest that is
 * still served never loses a layer, and blobs shared with kept images stay.
 */
import type { StoreAdmin } from '@strata/cas';
import { isNotFound } from '@strata/errors';
import type { Collection } from './collection-guard.ts';
import type { ManifestRecord } from './metadata.ts';
import type { PullRecorder } from './pull-times.ts';
import { repositoriesUnder } from './quotas.ts';
import { collectRegistryGarbage, type CollectableStore, type RegistryGcDeps, type RegistryGcOptions, type RegistryGcReport } from './registry-gc.ts';

/** Eviction aims this far below the budget, so the next pushes do not start another round at once. */
const TARGET_FRACTION = 0.98;
/** Packs are compacted harder than in a plain collection: the point is to give the space back. */
const EVICTION_MIN_LIVE_FRACTION = 0.9;
const MAX_ROUNDS = 6;

export interface EvictionDeps extends RegistryGcDeps {
  store: CollectableStore & Pick<StoreAdmin, 'stats'>;
  /** Pending pull times are written before images are ranked. */
  pulls?: PullRecorder;
}

export interface EvictionOptions extends Omit<RegistryGcOptions, 'dryRun' | 'minLiveFraction'> {
  budgetBytes: number;
}

export interface EvictionReport {
  budgetBytes: number;
  storedBytesBefore: number;
  storedBytesAfter: number;
  imagesEvicted: number;
  rounds: number;
  collections: RegistryGcReport[];
}

interface Image {
  repository: string;
  /** The image's own manifest, its children and its referrers. */
  members: string[];
  /** Everything the members name, members included. */
  digests: Set<string>;
  lastUsed: number;
}

/** Evicts images, least recently used first, until the store is within `budgetBytes` or nothing is left to evict. */
export async function evictToBudget(deps: EvictionDeps, options: EvictionOptions): Promise<EvictionReport> {
  await deps.pulls?.flush();
  let stats = await deps.store.stats();
  const report: EvictionReport = {
    budgetBytes: options.budgetBytes,
    storedBytesBefore: stats.storedBytes,
    storedBytesAfter: stats.storedBytes,
    imagesEvicted: 0,
    rounds: 0,
    collections: [],
  };
  const sizes = new Map<string, number>();
  while (stats.storedBytes > options.budgetBytes && report.rounds < MAX_ROUNDS) {
    report.rounds++;
    const collection = await deps.guard.begin();
    let evicted: number;
    try {
      const images = await findImages(deps);
      // On disk per byte of content: what evicting a byte of blobs should give back.
      const ratio = stats.logicalBytes > 0 ? stats.storedBytes / stats.logicalBytes : 1;
      const excess = stats.storedBytes - options.budgetBytes * TARGET_FRACTION;
      const chosen = await choose(deps, images, excess / ratio, sizes);
      evicted = await evict(deps, images, chosen, collection);
    } finally {
      await collection.end();
    }
    report.imagesEvicted += evicted;
    const gcOptions: RegistryGcOptions = { ...options, minLiveFraction: EVICTION_MIN_LIVE_FRACTION };
    report.collections.push(await collectRegistryGarbage(deps, gcOptions));
    const storedBefore = stats.storedBytes;
    stats = await deps.store.stats();
    report.storedBytesAfter = stats.storedBytes;
    // Space the store cannot give back yet (the pack being written is never
    // compacted) must not cost every image: stop when a round freed nothing.
    if (evicted === 0 || stats.storedBytes >= storedBefore) break;
  }
  return report;
}

async function findImages(deps: EvictionDeps): Promise<Image[]> {
  const images: Image[] = [];
  for (const repository of await repositoriesUnder(deps.metadata, '')) {
    const manifests = new Map((await deps.metadata.listManifests(repository)).map((record) => [record.digest, record]));
    const links = new Map((await deps.metadata.listBlobLinks(repository)).map((link) => [link.digest, link.linkedAt]));
    const children = new Set<string>();
    const referrersOf = new Map<string, string[]>();
    for (const record of manifests.values()) {
      for (const reference of record.references ?? []) if (manifests.has(reference)) children.add(reference);
      if (record.subject !== undefined && manifests.has(record.subject)) {
        referrersOf.set(record.subject, [...(referrersOf.get(record.subject) ?? []), record.digest]);
      }
    }
    for (const root of manifests.values()) {
      if (children.has(root.digest) || (root.subject !== undefined && manifests.has(root.subject))) continue;
      const members: string[] = [];
      const digests = new Set<string>();
      let lastUsed = 0;
      const pending = [root.digest];
      while (pending.length > 0) {
        const digest = pending.pop()!;
        const record: ManifestRecord | undefined = manifests.get(digest);
        if (!record || members.includes(digest)) continue;
        members.push(digest);
        digests.add(digest);
        lastUsed = Math.max(lastUsed, record.pushedAt ?? links.get(digest) ?? 0, (await deps.metadata.lastPulled(repository, digest)) ?? 0);
        for (const reference of record.references ?? []) {
          digests.add(reference);
          if (manifests.has(reference)) pending.push(reference);
        }
        pending.push(...(referrersOf.get(digest) ?? []));
      }
      images.push({ repository, members, digests, lastUsed });
    }
  }
  return images.sort((a, b) => a.lastUsed - b.lastUsed);
}

/** The least recently used images whose blobs, once no image uses them, add up to `bytes`. */
async function choose(deps: EvictionDeps, images: readonly Image[], bytes: number, sizes: Map<string, number>): Promise<Image[]> {
  const users = new Map<string, number>();
  for (const image of images) for (const digest of image.digests) users.set(digest, (users.get(digest) ?? 0) + 1);
  const chosen: Image[] = [];
  let freed = 0;
  for (const image of images) {
    if (freed >= bytes) break;
    chosen.push(image);
    for (const digest of image.digests) {
      const left = users.get(digest)! - 1;
      users.set(digest, left);
      if (left === 0) freed += await sizeOf(deps, digest, sizes);
    }
  }
  return chosen;
}

async function sizeOf(deps: EvictionDeps, digest: string, sizes: Map<string, number>): Promise<number> {
  const known = sizes.get(digest);
  if (known !== undefined) return known;
  try {
    const { size } = await deps.store.stat(digest);
    sizes.set(digest, size);
    return size;
  } catch (error) {
    if (isNotFound(error)) return 0;
    throw error;
  }
}

/** Deletes the chosen images' manifests, then the links only they used; answers how many went. */
async function evict(deps: EvictionDeps, images: readonly Image[], chosen: readonly Image[], collection: Collection): Promise<number> {
  const evicting = new Set(chosen);
  // What the images that stay use, per repository: those links stay.
  const kept = new Map<string, Set<string>>();
  for (const image of images) {
    if (evicting.has(image)) continue;
    const used = kept.get(image.repository) ?? new Set<string>();
    for (const digest of image.digests) used.add(digest);
    kept.set(image.repository, used);
  }
  let evicted = 0;
  for (const image of chosen) {
    await collection.exclusive(async (touched) => {
      const keep = await touched([...image.digests]);
      // An image pushed again since the ranking is in use again.
      if (image.members.some((digest) => keep.has(digest))) return;
      for (const digest of image.members) await deps.metadata.deleteManifest(image.repository, digest);
      const used = kept.get(image.repository);
      for (const digest of image.digests) {
        if (!used?.has(digest) && !keep.has(digest)) await deps.metadata.unlinkBlob(image.repository, digest);
      }
      evicted++;
    });
  }
  return evicted;
}
