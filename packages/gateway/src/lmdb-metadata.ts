import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { open, type Database, type RootDatabase } from 'lmdb';
import { StrataError } from '@strata/errors';
import {
  DB_BLOB_LINKS,
  DB_MANIFESTS,
  DB_PULLS,
  DB_REFERRERS,
  DB_REPOSITORIES,
  DB_TAG_PUSHES,
  DB_TAGS,
  DB_UPLOADS,
  END,
  FORMAT_NAME,
  FORMAT_VERSION,
  MIGRATABLE_VERSIONS,
  type Key,
  blobLinkKey,
  formatFile,
  manifestKey,
  metadataFile,
  prefixRange,
  pullKey,
  referrerKey,
  repositoryKey,
  tagKey,
} from './metadata-layout.ts';
import {
  LINK_REFRESH_MS,
  type BlobLink,
  type ManifestRecord,
  type Page,
  type PullRecord,
  type ReferrerDescriptor,
  type RegistryMetadata,
  type TagRecord,
  type UploadSession,
} from './metadata.ts';

/**
 * Registry metadata in an LMDB environment of its own (metadata-layout.ts
 * draws the keys). Reads are synchronous memory-mapped lookups; each change
 * is one durable transaction.
 */
export class LmdbMetadata implements RegistryMetadata {
  readonly #root: RootDatabase;
  readonly #repositories: Database<{ createdAt: number }, string>;
  readonly #blobLinks: Database<number, Key>;
  readonly #manifests: Database<ManifestRecord, Key>;
  readonly #tags: Database<string, Key>;
  readonly #referrers: Database<ReferrerDescriptor, Key>;
  readonly #uploads: Database<UploadSession, string>;
  readonly #tagPushes: Database<number, Key>;
  readonly #pulls: Database<number, Key>;
  #closed = false;

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#repositories = root.openDB({ name: DB_REPOSITORIES });
    this.#blobLinks = root.openDB({ name: DB_BLOB_LINKS });
    this.#manifests = root.openDB({ name: DB_MANIFESTS });
    this.#tags = root.openDB({ name: DB_TAGS });
    this.#referrers = root.openDB({ name: DB_REFERRERS });
    this.#uploads = root.openDB({ name: DB_UPLOADS });
    this.#tagPushes = root.openDB({ name: DB_TAG_PUSHES });
    this.#pulls = root.openDB({ name: DB_PULLS });
  }

  /**
   * Opens (creating if needed) the metadata in `dir`, migrating an older
   * layout this code knows and refusing any other.
   */
  static async open(dir: string): Promise<LmdbMetadata> {
    await mkdir(dir, { recursive: true });
    const version = await checkFormat(dir);
    const metadata = new LmdbMetadata(open({ path: metadataFile(dir), maxDbs: 12, compression: false }));
    if (version < FORMAT_VERSION) {
      try {
        await metadata.#migrateFromVersion1();
        await writeFormat(dir);
      } catch (error) {
        await metadata.close();
        throw error;
      }
    }
    return metadata;
  }

  /** Version 1 kept no tag push times: the link time of the tagged manifest is the best estimate. */
  async #migrateFromVersion1(): Promise<void> {
    await this.#root.transaction(() => {
      for (const { key, value: digest } of this.#tags.getRange({})) {
        const [repository] = key;
        const linkedAt = this.#blobLinks.get(blobLinkKey(repository!, digest));
        if (!this.#tagPushes.doesExist(key)) this.#tagPushes.putSync(key, linkedAt ?? Date.now());
      }
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('Unavailable', 'gateway metadata is closed');
  }

  async repositoryExists(repository: string): Promise<boolean> {
    this.#checkOpen();
    return this.#repositories.doesExist(repositoryKey(repository));
  }

  async listRepositories(page: Page): Promise<string[]> {
    this.#checkOpen();
    const range = page.last === undefined ? { end: END } : { start: page.last, end: END };
    return takePage(this.#repositories.getKeys(range), (name) => name, page);
  }

  async isBlobLinked(repository: string, digest: string): Promise<boolean> {
    this.#checkOpen();
    return this.#blobLinks.doesExist(blobLinkKey(repository, digest));
  }

  async linkBlob(repository: string, digest: string): Promise<void> {
    this.#checkOpen();
    // Most links are relinks of fresh links: no write for those.
    const linkedAt = this.#blobLinks.get(blobLinkKey(repository, digest));
    if (linkedAt !== undefined && Date.now() - linkedAt < LINK_REFRESH_MS) return;
    await this.#root.transaction(() => {
      this.#ensureRepository(repository);
      this.#blobLinks.putSync(blobLinkKey(repository, digest), Date.now());
    });
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    this.#checkOpen();
    return this.#removeIfPresent(this.#blobLinks, blobLinkKey(repository, digest));
  }

  async listBlobLinks(repository: string): Promise<BlobLink[]> {
    this.#checkOpen();
    return this.#blobLinks.getRange(prefixRange([repository])).map(({ key, value }) => ({ digest: key[1]!, linkedAt: value })).asArray;
  }

  async linkedDigests(): Promise<Set<string>> {
    this.#checkOpen();
    const digests = new Set<string>();
    for (const key of this.#blobLinks.getKeys({})) digests.add(key[1]!);
    return digests;
  }

  async getManifest(repository: string, digest: string): Promise<ManifestRecord | undefined> {
    this.#checkOpen();
    return this.#manifests.get(manifestKey(repository, digest));
  }

  async putManifest(repository: string, manifest: ManifestRecord, tag?: string): Promise<void> {
    this.#checkOpen();
    await this.#root.transaction(() => {
      this.#ensureRepository(repository);
      this.#manifests.putSync(manifestKey(repository, manifest.digest), manifest);
      if (tag !== undefined) {
        this.#tags.putSync(tagKey(repository, tag), manifest.digest);
        this.#tagPushes.putSync(tagKey(repository, tag), manifest.pushedAt ?? Date.now());
      }
      if (manifest.subject !== undefined) {
        const referrer: ReferrerDescriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
        if (manifest.artifactType !== undefined) referrer.artifactType = manifest.artifactType;
        if (manifest.annotations !== undefined) referrer.annotations = manifest.annotations;
        this.#referrers.putSync(referrerKey(repository, manifest.subject, manifest.digest), referrer);
      }
    });
  }

  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    this.#checkOpen();
    return this.#root.transaction(() => {
      const record = this.#manifests.get(manifestKey(repository, digest));
      if (!record) return false;
      this.#manifests.removeSync(manifestKey(repository, digest));
      for (const { key, value } of this.#tags.getRange(prefixRange([repository]))) {
        if (value === digest) {
          this.#tags.removeSync(key);
          this.#tagPushes.removeSync(key);
        }
      }
      if (record.subject !== undefined) this.#referrers.removeSync(referrerKey(repository, record.subject, digest));
      this.#pulls.removeSync(pullKey(repository, digest));
      return true;
    });
  }

  async listManifests(repository: string): Promise<ManifestRecord[]> {
    this.#checkOpen();
    return this.#manifests.getRange(prefixRange([repository])).map(({ value }) => value).asArray;
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    this.#checkOpen();
    return this.#tags.get(tagKey(repository, tag));
  }

  async listTags(repository: string, page: Page): Promise<string[]> {
    this.#checkOpen();
    return takePage(this.#tags.getKeys(prefixRange([repository], page.last)), (key) => key[1]!, page);
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    this.#checkOpen();
    return this.#root.transaction(() => {
      if (!this.#tags.doesExist(tagKey(repository, tag))) return false;
      this.#tags.removeSync(tagKey(repository, tag));
      this.#tagPushes.removeSync(tagKey(repository, tag));
      return true;
    });
  }

  async listTagRecords(repository: string): Promise<TagRecord[]> {
    this.#checkOpen();
    return this.#tags.getRange(prefixRange([repository])).map(({ key, value }) => ({
      tag: key[1]!,
      digest: value,
      pushedAt: this.#tagPushes.get(key) ?? 0,
    })).asArray;
  }

  async recordPulls(pulls: readonly PullRecord[]): Promise<void> {
    this.#checkOpen();
    if (pulls.length === 0) return;
    await this.#root.transaction(() => {
      for (const { repository, digest, at } of pulls) {
        const key = pullKey(repository, digest);
        if ((this.#pulls.get(key) ?? 0) < at) this.#pulls.putSync(key, at);
      }
    });
  }

  async lastPulled(repository: string, digest: string): Promise<number | undefined> {
    this.#checkOpen();
    return this.#pulls.get(pullKey(repository, digest));
  }

  async listReferrers(repository: string, subject: string): Promise<ReferrerDescriptor[]> {
    this.#checkOpen();
    return this.#referrers.getRange(prefixRange([repository, subject])).map(({ value }) => value).asArray;
  }

  async putUpload(session: UploadSession): Promise<void> {
    this.#checkOpen();
    await this.#uploads.put(session.uuid, session);
  }

  async getUpload(uuid: string): Promise<UploadSession | undefined> {
    this.#checkOpen();
    return this.#uploads.get(uuid);
  }

  async deleteUpload(uuid: string): Promise<void> {
    this.#checkOpen();
    await this.#uploads.remove(uuid);
  }

  async listUploads(): Promise<UploadSession[]> {
    this.#checkOpen();
    return this.#uploads.getRange().map(({ value }) => value).asArray;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#root.close();
  }

  #removeIfPresent<V>(db: Database<V, Key>, key: Key): Promise<boolean> {
    return this.#root.transaction(() => {
      if (!db.doesExist(key)) return false;
      db.removeSync(key);
      return true;
    });
  }

  // Inside a write transaction.
  #ensureRepository(repository: string): void {
    if (!this.#repositories.doesExist(repositoryKey(repository))) {
      this.#repositories.putSync(repositoryKey(repository), { createdAt: Date.now() });
    }
  }
}

/** Names from an ordered key range, skipping `page.last` itself, at most `page.limit`. */
function takePage<K>(keys: Iterable<K>, nameOf: (key: K) => string, page: Page): string[] {
  const names: string[] = [];
  if (page.limit <= 0) return names;
  for (const key of keys) {
    const name = nameOf(key);
    if (name === page.last) continue;
    names.push(name);
    if (names.length >= page.limit) break;
  }
  return names;
}

/** The version the directory holds (a new directory is written at FORMAT_VERSION). */
async function checkFormat(dir: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(formatFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await writeFormat(dir);
    return FORMAT_VERSION;
  }
  const format = JSON.parse(text) as { format?: unknown; version?: unknown };
  const version = format.version;
  if (format.format !== FORMAT_NAME || typeof version !== 'number' || (version !== FORMAT_VERSION && !MIGRATABLE_VERSIONS.includes(version))) {
    throw new StrataError('FailedPrecondition', `${dir} holds ${String(format.format)} version ${String(format.version)}, not ${FORMAT_NAME} version ${FORMAT_VERSION}`);
  }
  return version;
}

async function writeFormat(dir: string): Promise<void> {
  const file = formatFile(dir);
  // Written aside and renamed, so a crash never leaves a FORMAT file half written.
  await writeFile(`${file}.new`, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
  await rename(`${file}.new`, file);
}
