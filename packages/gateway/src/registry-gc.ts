/**
 * Registry garbage collection: mark what the registry still serves, sweep
 * the rest out of the metadata and the store, then let the store collect
 * its chunks and packs.
 *
 * Mark, per repository: the manifests retention keeps (tagged ones, and
 * untagged ones younger than their rule's `untaggedAfter` or kept for want
 * of a rule), closed over index children, subjects and referrers; the
 * blobs those manifests name; links made or refreshed within the grace
 * period (a push whose manifest has not arrived yet); whatever a push
 * touched while the collection ran (see CollectionGuard).
 * Sweep: expired tags, unkept manifests and unmarked links are removed;
 * then every store blob no repository links is deleted from the store;
 * then the store's own collection frees chunks and compacts packs.
 * Upload sessions idle past their expiry are aborted first.
 *
 * Every delete step runs under the guard's exclusive side, in batches, and
 * re-checks its candidates there. With PostgreSQL metadata the guard spans
 * every gateway over the schema (PgCollectionGuard).
 */
import type { Logger } from 'pino';
import { readBytes, type BlobInfo, type BlobManager, type BlobReader, type GcOptions, type GcReport, type IngestManager, type StoreAdmin } from '@strata/cas';
import { isNotFound, StrataError } from '@strata/errors';
import type { Collection, CollectionGuard } from './collection-guard.ts';
import { MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import type { ManifestRecord, RegistryMetadata, TagRecord } from './metadata.ts';
import { repositoriesUnder } from './quotas.ts';
import type { RetentionPolicy } from './retention.ts';

export const DEFAULT_GRACE_PERIOD_MS = 60 * 60_000;
export const DEFAULT_UPLOAD_EXPIRY_MS = 24 * 60 * 60_000;

/** The store roles a collection uses. */
export type CollectableStore = BlobReader &
  Pick<BlobInfo, 'stat'> &
  Pick<BlobManager, 'delete' | 'list'> &
  Pick<IngestManager, 'abortIngest'> &
  Partial<Pick<IngestManager, 'status'>> &
  Partial<Pick<StoreAdmin, 'collectGarbage' | 'stats'>>;

export interface RegistryGcDeps {
  metadata: RegistryMetadata;
  store: CollectableStore;
  guard: CollectionGuard;
  log?: Logger;
}

export interface RegistryGcOptions {
  /** Report what would be removed; change nothing. */
  dryRun?: boolean;
  /** Links made or refreshed this recently are kept whatever references them; 1 hour by default. */
  gracePeriodMs?: number;
  /** Upload sessions idle this long are aborted; 24 hours by default. */
  uploadExpiryMs?: number;
  retention?: RetentionPolicy;
  /** Passed to the store's collection: packs less live than this are compacted. */
  minLiveFraction?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; phase: string }) => void;
}

export interface RegistryGcReport {
  dryRun: boolean;
  repositories: number;
  tagsDeleted: number;
  manifestsDeleted: number;
  linksRemoved: number;
  /** Blobs deleted from the store (no repository linked them). */
  blobsDeleted: number;
  /** Sum of the sizes of those blobs: what clients can no longer pull, before dedup and compression. */
  blobBytesDeleted: number;
  uploadsExpired: number;
  /** The store's own collection (chunks, packs); absent when the store has none. */
  store?: GcReport;
  /** Disk space given back by the store's collection. */
  bytesReclaimed: number;
  durationMs: number;
}

/** How many candidates one exclusive step re-checks and deletes before pushes get a turn. */
const DELETE_BATCH = 256;

interface RepositoryPlan {
  repository: string;
  expiredTags: TagRecord[];
  deleteManifests: string[];
  removeLinks: string[];
  links: string[];
}

/**
 * One registry collection. The caller makes sure only one runs at a time
 * over the metadata: it holds the guard's claim (RegistryLifecycle,
 * `strata gc`), and for LMDB the metadata directory's lock.
 */
export async function collectRegistryGarbage(deps: RegistryGcDeps, options: RegistryGcOptions = {}): Promise<RegistryGcReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const grace = options.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
  const report: RegistryGcReport = {
    dryRun,
    repositories: 0,
    tagsDeleted: 0,
    manifestsDeleted: 0,
    linksRemoved: 0,
    blobsDeleted: 0,
    blobBytesDeleted: 0,
    uploadsExpired: 0,
    bytesReclaimed: 0,
    durationMs: 0,
  };
  const progress = options.onProgress ?? (() => {});
  // Begun before the first read, so every push after it is seen as touched.
  const collection = await deps.guard.begin();
  try {
    report.uploadsExpired = await expireUploads(deps, options.uploadExpiryMs ?? DEFAULT_UPLOAD_EXPIRY_MS, dryRun);

    const repositories = await repositoriesUnder(deps.metadata, '');
    report.repositories = repositories.length;
    const plans: RepositoryPlan[] = [];
    for (const [index, repository] of repositories.entries()) {
      checkAborted(options.signal);
      progress({ done: index, total: repositories.length, phase: 'mark' });
      plans.push(await planRepository(deps, repository, options.retention, grace, started, collection));
    }
    progress({ done: repositories.length, total: repositories.length, phase: 'mark' });

    for (const plan of plans) {
      checkAborted(options.signal);
      if (dryRun) {
        report.tagsDeleted += plan.expiredTags.length;
        report.manifestsDeleted += plan.deleteManifests.length;
        report.linksRemoved += plan.removeLinks.length;
      } else {
        const swept = await sweepRepository(deps, plan, collection);
        report.tagsDeleted += swept.tags;
        report.manifestsDeleted += swept.manifests;
        report.linksRemoved += swept.links;
      }
    }

    await sweepStore(deps, plans, collection, report, options);

    if (deps.store.collectGarbage) {
      const storeOptions: GcOptions = { dryRun };
      if (options.minLiveFraction !== undefined) storeOptions.minLiveFraction = options.minLiveFraction;
      if (options.signal) storeOptions.signal = options.signal;
      if (options.onProgress) storeOptions.onProgress = options.onProgress;
      report.store = await deps.store.collectGarbage(storeOptions);
      report.bytesReclaimed = report.store.bytesReclaimed;
    }
  } finally {
    await collection.end();
  }
  report.durationMs = Date.now() - started;
  return report;
}

async function expireUploads(deps: RegistryGcDeps, expiryMs: number, dryRun: boolean): Promise<number> {
  const now = Date.now();
  let expired = 0;
  for (const session of await deps.metadata.listUploads()) {
    let lastActive = session.updatedAt ?? session.startedAt;
    if (deps.store.status) {
      try {
        lastActive = Math.max(lastActive, (await deps.store.status(session.ref)).updatedAt.getTime());
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    if (now - lastActive <= expiryMs) continue;
    expired++;
    if (dryRun) continue;
    await deps.store.abortIngest(session.ref);
    await deps.metadata.deleteUpload(session.uuid);
    deps.log?.info({ uuid: session.uuid, repository: session.repository, idleMs: now - lastActive }, 'upload session expired');
  }
  return expired;
}

/** What one repository keeps and what it loses. */
async function planRepository(
  deps: RegistryGcDeps,
  repository: string,
  retention: RetentionPolicy | undefined,
  grace: number,
  now: number,
  collection: Collection,
): Promise<RepositoryPlan> {
  const { metadata } = deps;
  const manifests = new Map((await metadata.listManifests(repository)).map((record) => [record.digest, record]));
  const tags = await metadata.listTagRecords(repository);
  const links = await metadata.listBlobLinks(repository);
  const linkedAt = new Map(links.map((link) => [link.digest, link.linkedAt]));

  // A hint here; each delete step checks again.
  const touched = await collection.touched([...manifests.keys(), ...links.map((link) => link.digest)]);
  const expiredTags = retention ? retention.expiredTags(repository, tags) : [];
  const expired = new Set(expiredTags.map((record) => record.tag));
  const tagged = new Set(tags.filter((record) => !expired.has(record.tag)).map((record) => record.digest));

  const pushedAt = (record: ManifestRecord): number => record.pushedAt ?? linkedAt.get(record.digest) ?? 0;
  const keep: string[] = [];
  for (const record of manifests.values()) {
    const recent = now - pushedAt(record) <= grace;
    const expiredUntagged = retention?.untaggedExpired(repository, pushedAt(record), now) ?? false;
    if (tagged.has(record.digest) || recent || !expiredUntagged || touched.has(record.digest)) keep.push(record.digest);
  }

  // Referrers point at their subject; kept subjects keep their referrers.
  const referrersOf = new Map<string, string[]>();
  for (const record of manifests.values()) {
    if (record.subject === undefined) continue;
    referrersOf.set(record.subject, [...(referrersOf.get(record.subject) ?? []), record.digest]);
  }
  const kept = new Set<string>();
  const live = new Set<string>();
  // Without a manifest's references its blobs cannot be told from garbage: keep every link.
  let referencesKnown = true;
  while (keep.length > 0) {
    const digest = keep.pop()!;
    if (kept.has(digest)) continue;
    kept.add(digest);
    live.add(digest);
    const record = manifests.get(digest);
    if (!record) continue;
    const references = await referencesOf(deps, record);
    if (references === undefined) referencesKnown = false;
    for (const reference of references ?? []) {
      live.add(reference);
      if (manifests.has(reference)) keep.push(reference);
    }
    if (record.subject !== undefined && manifests.has(record.subject)) keep.push(record.subject);
    for (const referrer of referrersOf.get(digest) ?? []) keep.push(referrer);
  }

  const deleteManifests = [...manifests.keys()].filter((digest) => !kept.has(digest));
  const removeLinks = referencesKnown
    ? links.filter((link) => !live.has(link.digest) && now - link.linkedAt > grace && !touched.has(link.digest)).map((link) => link.digest)
    : [];
  return {
    repository,
    expiredTags,
    deleteManifests,
    removeLinks,
    links: links.map((link) => link.digest),
  };
}

/** The blobs and child manifests a manifest names: recorded since format version 2, parsed for older records. */
async function referencesOf(deps: RegistryGcDeps, record: ManifestRecord): Promise<string[] | undefined> {
  if (record.references) return record.references;
  try {
    const parsed = parseManifest(await readBytes(deps.store, record.digest, MAX_MANIFEST_BYTES), record.mediaType);
    return [...parsed.blobs, ...parsed.manifests];
  } catch (error) {
    deps.log?.warn({ digest: record.digest, err: error }, 'manifest unreadable: its repository keeps every link');
    return undefined;
  }
}

async function sweepRepository(deps: RegistryGcDeps, plan: RepositoryPlan, collection: Collection): Promise<{ tags: number; manifests: number; links: number }> {
  const { metadata } = deps;
  const { repository } = plan;
  const swept = { tags: 0, manifests: 0, links: 0 };
  for (const batch of batches(plan.expiredTags)) {
    await collection.exclusive(async (touched) => {
      const keep = await touched(batch.map((record) => record.digest));
      for (const record of batch) {
        // A tag pushed again since the mark is the push's, not retention's.
        if (keep.has(record.digest) || (await metadata.resolveTag(repository, record.tag)) !== record.digest) continue;
        if (await metadata.deleteTag(repository, record.tag)) swept.tags++;
      }
    });
  }
  for (const batch of batches(plan.deleteManifests)) {
    await collection.exclusive(async (touched) => {
      const keep = await touched(batch);
      for (const digest of batch) {
        if (keep.has(digest)) continue;
        if (await metadata.deleteManifest(repository, digest)) swept.manifests++;
      }
    });
  }
  for (const batch of batches(plan.removeLinks)) {
    await collection.exclusive(async (touched) => {
      const keep = await touched(batch);
      for (const digest of batch) {
        if (keep.has(digest)) continue;
        if (await metadata.unlinkBlob(repository, digest)) swept.links++;
      }
    });
  }
  return swept;
}

/** Deletes from the store every blob no repository links any more. */
async function sweepStore(deps: RegistryGcDeps, plans: readonly RepositoryPlan[], collection: Collection, report: RegistryGcReport, options: RegistryGcOptions): Promise<void> {
  const linked = options.dryRun ? projectedLinks(plans) : await deps.metadata.linkedDigests();
  const unlinked: { digest: string; size: number }[] = [];
  for await (const blob of deps.store.list(options.signal ? { signal: options.signal } : {})) {
    if (!linked.has(blob.digest)) unlinked.push({ digest: blob.digest, size: blob.size });
  }
  const touched = new Set<string>();
  for (const batch of batches(unlinked)) for (const digest of await collection.touched(batch.map((blob) => blob.digest))) touched.add(digest);
  const candidates = unlinked.filter((blob) => !touched.has(blob.digest));
  if (options.dryRun) {
    report.blobsDeleted = candidates.length;
    report.blobBytesDeleted = candidates.reduce((sum, blob) => sum + blob.size, 0);
    return;
  }
  let done = 0;
  for (const batch of batches(candidates)) {
    checkAborted(options.signal);
    options.onProgress?.({ done, total: candidates.length, phase: 'delete blobs' });
    await collection.exclusive(async (touched) => {
      // Links made since the list was read, under this very lock, are seen here.
      const linkedNow = await deps.metadata.linkedDigests();
      const keep = await touched(batch.filter((blob) => !linkedNow.has(blob.digest)).map((blob) => blob.digest));
      for (const blob of batch) {
        if (linkedNow.has(blob.digest) || keep.has(blob.digest)) continue;
        try {
          await deps.store.delete(blob.digest);
        } catch (error) {
          if (isNotFound(error)) continue;
          throw error;
        }
        report.blobsDeleted++;
        report.blobBytesDeleted += blob.size;
      }
    });
    done += batch.length;
  }
  options.onProgress?.({ done, total: candidates.length, phase: 'delete blobs' });
}

/** The digests still linked somewhere once every plan's links are removed (for a dry run). */
function projectedLinks(plans: readonly RepositoryPlan[]): Set<string> {
  const linked = new Set<string>();
  for (const plan of plans) {
    const removed = new Set(plan.removeLinks);
    for (const digest of plan.links) if (!removed.has(digest)) linked.add(digest);
  }
  return linked;
}

function* batches<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += DELETE_BATCH) yield items.slice(start, start + DELETE_BATCH);
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StrataError('Cancelled', 'garbage collection cancelled', { cause: signal.reason });
}
