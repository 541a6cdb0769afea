/**
 * Retention rules (`--retention FILE`): which tags and untagged manifests
 * garbage collection removes. YAML:
 *
 *   retention:
 *     - prefix: ""              # every repository
 *       untaggedAfter: 14d      # untagged manifests pushed longer ago are deleted
 *     - prefix: ci              # ci and ci/..., not cix
 *       untaggedAfter: 1d
 *       keepTags:
 *         - match: "^pr-"       # a regular expression over the tag
 *           last: 5             # the 5 most recently pushed such tags stay; older ones go
 *
 * The longest matching prefix decides alone, as in auth files. Without a
 * rule (or without `untaggedAfter`), untagged manifests are kept; tags that
 * no `keepTags` entry matches are always kept. A manifest that a kept
 * manifest needs (an index's child, a referrer's subject) or that refers to
 * a kept manifest (a signature, an SBOM) is kept with it.
 */
import { isUnderPrefix } from './names.ts';
import { durationField, policyError, readPolicyText, ruleEntries } from './policy-file.ts';
import type { TagRecord } from './metadata.ts';

export interface TagKeepRule {
  match: RegExp;
  /** How many of the matching tags stay, most recently pushed first. */
  last: number;
}

export interface RetentionRule {
  prefix: string;
  /** Untagged manifests pushed longer ago than this are deleted; kept when undefined. */
  untaggedAfterMs?: number;
  keepTags: TagKeepRule[];
}

export class RetentionPolicy {
  /** Longest prefix first, so the first match is the one that decides. */
  readonly rules: readonly RetentionRule[];

  constructor(rules: readonly RetentionRule[]) {
    this.rules = [...rules].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  ruleFor(repository: string): RetentionRule | undefined {
    return this.rules.find((rule) => isUnderPrefix(rule.prefix, repository));
  }

  /** The tags of one repository that retention removes. */
  expiredTags(repository: string, tags: readonly TagRecord[]): TagRecord[] {
    const rule = this.ruleFor(repository);
    if (!rule) return [];
    // A tag any entry keeps stays: several entries only ever keep more.
    const kept = new Set<string>();
    const matched = new Set<TagRecord>();
    for (const keep of rule.keepTags) {
      const matching = tags.filter((record) => keep.match.test(record.tag));
      // Newest first; equal push times fall back to the tag name so the choice is stable.
      matching.sort((a, b) => b.pushedAt - a.pushedAt || b.tag.localeCompare(a.tag));
      for (const record of matching.slice(0, keep.last)) kept.add(record.tag);
      for (const record of matching) matched.add(record);
    }
    return [...matched].filter((record) => !kept.has(record.tag));
  }

  /** Whether an untagged manifest pushed at `pushedAt` is past its rule's age at `now`. */
  untaggedExpired(repository: string, pushedAt: number, now: number): boolean {
    const after = this.ruleFor(repository)?.untaggedAfterMs;
    return after !== undefined && now - pushedAt > after;
  }
}

export function parseRetention(text: string, source = 'retention file'): RetentionPolicy {
  const rules = ruleEntries(text, source, 'retention', ['untaggedAfter', 'keepTags']).map(({ where, prefix, entry }) => {
    const rule: RetentionRule = { prefix, keepTags: [] };
    const after = durationField(entry.untaggedAfter, source, `${where}.untaggedAfter`);
    if (after !== undefined) rule.untaggedAfterMs = after;
    const keepTags = entry.keepTags ?? [];
    if (!Array.isArray(keepTags)) throw policyError(source, `${where}.keepTags must be a list of { match, last }`);
    for (const [index, keep] of keepTags.entries()) {
      const at = `${where}.keepTags[${index}]`;
      const { match, last, ...rest } = (keep ?? {}) as Record<string, unknown>;
      if (Object.keys(rest).length > 0) throw policyError(source, `${at}: unknown key "${Object.keys(rest)[0]}"`);
      if (typeof match !== 'string') throw policyError(source, `${at}.match must be a regular expression`);
      if (typeof last !== 'number' || !Number.isSafeInteger(last) || last < 0) throw policyError(source, `${at}.last must be a whole number`);
      let pattern: RegExp;
      try {
        pattern = new RegExp(match);
      } catch {
        throw policyError(source, `${at}.match: "${match}" is not a regular expression`);
      }
      rule.keepTags.push({ match: pattern, last });
    }
    return rule;
  });
  return new RetentionPolicy(rules);
}

export async function loadRetentionFile(path: string): Promise<RetentionPolicy> {
  return parseRetention(await readPolicyText(path), path);
}
