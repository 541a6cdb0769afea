/**
 * Quotas per repository prefix (`--quotas FILE`). YAML:
 *
 *   quotas:
 *     - prefix: team          # team and team/..., not teamwork; "" is the whole registry
 *       logical: 20GiB        # sum of the sizes of the blobs each repository links
 *       stored: 10GiB         # the same blobs counted once for the whole prefix
 *
 * Every rule whose prefix holds the repository applies (not only the
 * longest). "Stored" is an estimate of the prefix's share of the store: the
 * distinct blobs its repositories link, at their full size, before chunk
 * dedup and compression, which the store shares between prefixes and cannot
 * attribute to one. A push that would take a prefix past a limit is refused
 * with 403 DENIED: the blob is not linked (the store's copy is garbage for
 * the next collection) or the manifest is not recorded.
 */
import type { BlobInfo } from '@strata/cas';
import { isNotFound } from '@strata/errors';
import { RegistryError } from './errcode.ts';
import type { RegistryMetadata } from './metadata.ts';
import { isUnderPrefix } from './names.ts';
import { policyError, readPolicyText, ruleEntries, sizeField } from './policy-file.ts';
import { formatBytes } from './units.ts';

export interface QuotaRule {
  prefix: string;
  logicalBytes?: number;
  storedBytes?: number;
}

export class QuotaPolicy {
  readonly rules: readonly QuotaRule[];

  constructor(rules: readonly QuotaRule[]) {
    this.rules = rules;
  }

  rulesFor(repository: string): QuotaRule[] {
    return this.rules.filter((rule) => isUnderPrefix(rule.prefix, repository));
  }
}

export function parseQuotas(text: string, source = 'quota file'): QuotaPolicy {
  return new QuotaPolicy(
    ruleEntries(text, source, 'quotas', ['logical', 'stored']).map(({ where, prefix, entry }) => {
      const rule: QuotaRule = { prefix };
      const logical = sizeField(entry.logical, source, `${where}.logical`);
      const stored = sizeField(entry.stored, source, `${where}.stored`);
      if (logical === undefined && stored === undefined) throw policyError(source, `${where}: give logical, stored or both`);
      if (logical !== undefined) rule.logicalBytes = logical;
      if (stored !== undefined) rule.storedBytes = stored;
      return rule;
    }),
  );
}

export async function loadQuotasFile(path: string): Promise<QuotaPolicy> {
  return parseQuotas(await readPolicyText(path), path);
}

/** What a prefix uses now. */
export interface QuotaUsage {
  logicalBytes: number;
  storedBytes: number;
}

/** A blob a push is about to link, with its size. */
export interface QuotaAddition {
  digest: string;
  size: number;
}

const SIZE_CACHE_LIMIT = 1_000_000;

/**
 * Measures prefixes from the links in the metadata and the blob sizes in
 * the store, and refuses pushes past a limit. Two pushes checked at the
 * same moment can both pass: a prefix can overshoot by what is pushed
 * concurrently, never more.
 */
export class QuotaEnforcer {
  readonly #metadata: RegistryMetadata;
  readonly #store: Pick<BlobInfo, 'stat'>;
  readonly #policy: () => QuotaPolicy | undefined;
  /** A digest names its bytes forever, so sizes never go stale. */
  readonly #sizes = new Map<string, number>();

  constructor(metadata: RegistryMetadata, store: Pick<BlobInfo, 'stat'>, policy: () => QuotaPolicy | undefined) {
    this.#metadata = metadata;
    this.#store = store;
    this.#policy = policy;
  }

  /** DENIED when linking `additions` into `repository` would take any of its prefixes past a limit. */
  async check(repository: string, additions: readonly QuotaAddition[]): Promise<void> {
    const rules = this.#policy()?.rulesFor(repository) ?? [];
    for (const rule of rules) {
      const { usage, linkedHere, linkedUnder } = await this.#measure(rule.prefix, repository);
      let logical = 0;
      let stored = 0;
      for (const { digest, size } of new Map(additions.map((addition) => [addition.digest, addition])).values()) {
        if (!linkedHere.has(digest)) logical += size;
        if (!linkedUnder.has(digest)) stored += size;
      }
      if (rule.logicalBytes !== undefined && logical > 0 && usage.logicalBytes + logical > rule.logicalBytes) {
        throw exceeded(rule.prefix, 'logical', rule.logicalBytes, usage.logicalBytes, logical);
      }
      if (rule.storedBytes !== undefined && stored > 0 && usage.storedBytes + stored > rule.storedBytes) {
        throw exceeded(rule.prefix, 'stored', rule.storedBytes, usage.storedBytes, stored);
      }
    }
  }

  /** What the repositories under `prefix` use. */
  async usage(prefix: string): Promise<QuotaUsage> {
    return (await this.#measure(prefix, undefined)).usage;
  }

  async #measure(prefix: string, repository: string | undefined): Promise<{ usage: QuotaUsage; linkedHere: Set<string>; linkedUnder: Set<string> }> {
    const usage: QuotaUsage = { logicalBytes: 0, storedBytes: 0 };
    const linkedHere = new Set<string>();
    const linkedUnder = new Set<string>();
    for (const name of await repositoriesUnder(this.#metadata, prefix)) {
      for (const { digest } of await this.#metadata.listBlobLinks(name)) {
        const size = await this.#sizeOf(digest);
        usage.logicalBytes += size;
        if (!linkedUnder.has(digest)) usage.storedBytes += size;
        linkedUnder.add(digest);
        if (name === repository) linkedHere.add(digest);
      }
    }
    return { usage, linkedHere, linkedUnder };
  }

  async #sizeOf(digest: string): Promise<number> {
    const known = this.#sizes.get(digest);
    if (known !== undefined) return known;
    let size: number;
    try {
      size = (await this.#store.stat(digest)).size;
    } catch (error) {
      // A link to a blob the store lost holds no bytes.
      if (isNotFound(error)) return 0;
      throw error;
    }
    if (this.#sizes.size >= SIZE_CACHE_LIMIT) this.#sizes.clear();
    this.#sizes.set(digest, size);
    return size;
  }
}

/** The repositories `prefix` holds, read from the sorted list where names starting with it begin. */
export async function repositoriesUnder(metadata: RegistryMetadata, prefix: string): Promise<string[]> {
  const names: string[] = [];
  if (prefix !== '' && (await metadata.repositoryExists(prefix))) names.push(prefix);
  const pageSize = 1000;
  let last: string | undefined = prefix === '' ? undefined : prefix;
  for (;;) {
    const page = await metadata.listRepositories(last === undefined ? { limit: pageSize } : { last, limit: pageSize });
    for (const name of page) {
      // Every name that starts with the prefix sorts in one run right after it.
      if (!name.startsWith(prefix)) return names;
      if (isUnderPrefix(prefix, name)) names.push(name);
    }
    if (page.length < pageSize) return names;
    last = page.at(-1);
  }
}

function exceeded(prefix: string, kind: 'logical' | 'stored', limit: number, used: number, adding: number): RegistryError {
  const where = prefix === '' ? 'the registry' : `"${prefix}"`;
  return new RegistryError('DENIED', {
    message: `${kind} quota of ${where} exceeded: limit ${formatBytes(limit)}, ${formatBytes(used)} used, this push adds ${formatBytes(adding)}`,
    detail: { quota: kind, prefix, limitBytes: limit, usedBytes: used, addingBytes: adding },
  });
}
