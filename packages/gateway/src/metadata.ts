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
  /** Bytes received and closed into the write so far. */
  offset: number;
}

export interface Page {
  /** Answer only names after this one. */
  last?: string;
  /** At most this many names. */
  limit: number;
}

export interface RegistryMetadata {
  repositoryExists(repository: string): Promise<boolean>;
  /** Repository names in lexical order. */
  listRepositories(page: Page): Promise<string[]>;

  isBlobLinked(repository: string, digest: string): Promise<boolean>;
  /** Links a blob into a repository (creating the repository); idempotent. */
  linkBlob(repository: string, digest: string): Promise<void>;
  /** False when the blob was not linked. */
  unlinkBlob(repository: string, digest: string): Promise<boolean>;

  getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined>;
  /**
   * Records a manifest in one transaction: links it, points `tag` at it when
   * given, and lists it as a referrer of its subject.
   */
  putManifest(repository: string, manifest: ManifestRecord, tag?: string): Promise<void>;
  /** Removes a manifest, the tags pointing at it and its referrer entry. False when absent. */
  deleteManifest(repository: string, digest: string): Promise<boolean>;

  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  /** Tags in lexical order. */
  listTags(repository: string, page: Page): Promise<string[]>;
  deleteTag(repository: string, tag: string): Promise<boolean>;

  /** Manifests in `repository` whose subject is `subject`, in digest order. */
  listReferrers(repository: string, subject: string): Promise<ReferrerDescriptor[]>;

  putUpload(session: UploadSession): Promise<void>;
  getUpload(uuid: string): Promise<UploadSession | undefined>;
  deleteUpload(uuid: string): Promise<void>;
  listUploads(): Promise<UploadSession[]>;

  close(): Promise<void>;
}
