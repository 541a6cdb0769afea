import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { open, type Database, type RootDatabase } from 'lmdb';
import { StrataError } from '@strata/errors';
import {
  DB_BLOB_LINKS,
  DB_MANIFESTS,
  DB_REFERRERS,
  DB_REPOSITORIES,
  DB_TAGS,
  DB_UPLOADS,
  END,
  FORMAT_NAME,
  FORMAT_VERSION,
  type Key,
  blobLinkKey,
  formatFile,
  manifestKey,
  metadataFile,
  prefixRange,
  referrerKey,
  repositoryKey,
  tagKey,
} from './metadata-layout.ts';
import type { ManifestRecord, Page, ReferrerDescriptor, RegistryMetadata, UploadSession } from './metadata.ts';

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
  #closed = false;

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#repositories = root.openDB({ name: DB_REPOSITORIES });
    this.#blobLinks = root.openDB({ name: DB_BLOB_LINKS });
    this.#manifests = root.openDB({ name: DB_MANIFESTS });
    this.#tags = root.openDB({ name: DB_TAGS });
    this.#referrers = root.openDB({ name: DB_REFERRERS });
    this.#uploads = root.openDB({ name: DB_UPLOADS });
  }

  /** Opens (creating if needed) the metadata in `dir`, refusing a layout of another version. */
  static async open(dir: string): Promise<LmdbMetadata> {
    await mkdir(dir, { recursive: true });
    await checkFormat(dir);
    return new LmdbMetadata(open({ path: metadataFile(dir), maxDbs: 8, compression: false }));
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
    if (this.#blobLinks.doesExist(blobLinkKey(repository, digest))) return;
    await this.#root.transaction(() => {
      this.#ensureRepository(repository);
      this.#blobLinks.putSync(blobLinkKey(repository, digest), Date.now());
    });
  }

  async unlinkBlob(repository: string, digest: string): Promise<boolean> {
    this.#checkOpen();
    return this.#removeIfPresent(this.#blobLinks, blobLinkKey(repository, digest));
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
      if (tag !== undefined) this.#tags.putSync(tagKey(repository, tag), manifest.digest);
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
        if (value === digest) this.#tags.removeSync(key);
      }
      if (record.subject !== undefined) this.#referrers.removeSync(referrerKey(repository, record.subject, digest));
      return true;
    });
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
    return this.#removeIfPresent(this.#tags, tagKey(repository, tag));
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

async function checkFormat(dir: string): Promise<void> {
  const file = formatFile(dir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await writeFile(file, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
    return;
  }
  const format = JSON.parse(text) as { format?: unknown; version?: unknown };
  if (format.format !== FORMAT_NAME || format.version !== FORMAT_VERSION) {
    throw new StrataError('FailedPrecondition', `${dir} holds ${String(format.format)} version ${String(format.version)}, not ${FORMAT_NAME} version ${FORMAT_VERSION}`);
  }
}
