import type { Logger } from 'pino';
import type { CollectionGuard } from './collection-guard.ts';

/**
 * The gateway's metadata: repositories, the blobs each links, manifests,
 * tags, referrers and upload sessions. Bytes live in the ContentStore; this
 * is what the registry knows about them. LMDB is the first implementation
 * (lmdb-metadata.ts); every method is async so a networked database fits
 * the same contract.
 */

/** A manifest as linked in one repository. */
export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  /** The subject's digest, when the manifest refers to one. */
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** When the manifest was last pushed (ms); absent in records of format version 1. */
  pushedAt?: number;
  /**
   * The blobs (config, layers) and child manifests it names, which garbage
   * collection keeps while the manifest is kept; absent in records of
   * format version 1 (collection then reads the manifest itself).
   */
  references?: string[];
}

/** A blob linked into a repository. */
export interface BlobLink {
  digest: string;
  /** When the link was made or last refreshed by a relink, a mount or a HEAD (ms). */
  linkedAt: number;
}

/** A tag and when it was last pushed. */
export interface TagRecord {
  tag: string;
  digest: string;
  /** Ms; for tags pushed before format version 2, the link time of their manifest. */
  pushedAt: number;
}

/** A manifest pulled at `at` (ms). */
export interface PullRecord {
  repository: string;
  digest: string;
  at: number;
}

/** One entry of a referrers list: a descriptor of the referring manifest. */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An upload in progress: the store write it maps to, and where it stands. */
export interface UploadSession {
  uuid: string;
  repository: string;
  /** The ContentStore write ref holding the bytes. */
  ref: string;
  startedAt: number;
  /** When a request last wrote to the upload (ms); idle sessions expire. Absent before its first PATCH. */
  updatedAt?: number;
  /** Bytes received and closed into the write so far. */
  offset: number;
}

export interface Page {
  /** Answer only names after this one. */
  last?: string;
  /** At most this many names. */
  limit: number;
}

/** How old a link must be before linking again writes a new link time. */
export const LINK_REFRESH_MS = 60_000;

export interface RegistryMetadata {
  repositoryExists(repository: string): Promise<boolean>;
  /** Repository names in lexical order. */
  listRepositories(page: Page): Promise<string[]>;

  isBlobLinked(repository: string, digest: string): Promise<boolean>;
  /**
   * Links a blob into a repository (creating the repository); idempotent.
   * Linking again refreshes the link time when it is older than
   * LINK_REFRESH_MS, which keeps a blob a client has just checked for
   * within garbage collection's grace period.
   */
  linkBlob(repository: string, digest: string): Promise<void>;
  /** False when the blob was not linked. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;
  /** The blobs a repository links, in digest order. */
  listBlobLinks(repository: string): Promise<BlobLink[]>;
  /** Every digest that at least one repository links. */
  linkedDigests(): Promise<Set<string>>;

  getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined>;
  /**
   * Records a manifest in one transaction: links it, points `tag` at it when
   * given, and lists it as a referrer of its subject.
   */
  putManifest(repository: string, manifest: ManifestRecord, tag?: string): Promise<void>;
  /** Removes a manifest, the tags pointing at it, its referrer entry and its pull time. False when absent. */
  deleteManifest(repository: string, digest: string): Promise<boolean>;
  /** The manifests of a repository, in digest order. */
  listManifests(repository: string): Promise<ManifestRecord[]>;

  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  /** Tags in lexical order. */
  listTags(repository: string, page: Page): Promise<string[]>;
  deleteTag(repository: string, tag: string): Promise<boolean>;
  /** A repository's tags with what they point at and when they were pushed, in tag order. */
  listTagRecords(repository: string): Promise<TagRecord[]>;

  /** Records manifest pulls (the latest time per manifest wins) in one transaction. */
  recordPulls(pulls: readonly PullRecord[]): Promise<void>;
  /** When the manifest was last pulled (ms), if ever since pull times were recorded. */
  lastPulled(repository: string, digest: string): Promise<number | undefined>;

  /** Manifests in `repository` whose subject is `subject`, in digest order. */
  listReferrers(repository: string, subject: string): Promise<ReferrerDescriptor[]>;

  putUpload(session: UploadSession): Promise<void>;
  getUpload(uuid: string): Promise<UploadSession | undefined>;
  deleteUpload(uuid: string): Promise<void>;
  listUploads(): Promise<UploadSession[]>;

  /**
   * The collection guard of a metadata store that several gateways share
   * (PostgreSQL), ordering every gateway's pushes against any gateway's
   * collections; absent where one process holds the metadata (LMDB), which
   * uses LocalCollectionGuard. The caller closes the guard before the metadata.
   */
  createCollectionGuard?(options: { recentMs: number; log?: Logger }): CollectionGuard;

  close(): Promise<void>;
}
