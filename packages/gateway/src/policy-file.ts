/**
 * What the retention and quota files share: YAML with one top-level list of
 * rules, each naming a repository prefix; anything not understood is refused
 * rather than guessed at.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { StrataError } from '@strata/errors';
import { isRepositoryName } from './names.ts';
import { parseByteSize, parseDuration } from './units.ts';

export function policyError(source: string, what: string): StrataError {
  return new StrataError('InvalidArgument', `${source}: ${what}`, { details: { file: source } });
}

/** The entries of the top-level list `key`, each a mapping holding only `allowed` keys and a `prefix`. */
export function ruleEntries(text: string, source: string, key: string, allowed: readonly string[]): { where: string; prefix: string; entry: Record<string, unknown> }[] {
  let root: unknown;
  try {
    root = parse(text) ?? {};
  } catch (error) {
    throw policyError(source, `not valid YAML: ${(error as Error).message}`);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw policyError(source, `expected a mapping with ${key}`);
  for (const name of Object.keys(root)) if (name !== key) throw policyError(source, `unknown key "${name}"`);
  const list = (root as Record<string, unknown>)[key] ?? [];
  if (!Array.isArray(list)) throw policyError(source, `${key} must be a list of rules`);
  const seen = new Set<string>();
  return list.map((entry: unknown, index) => {
    const where = `${key}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw policyError(source, `${where} must be a mapping`);
    for (const name of Object.keys(entry)) {
      if (name !== 'prefix' && !allowed.includes(name)) throw policyError(source, `${where}: unknown key "${name}"`);
    }
    const raw = (entry as Record<string, unknown>).prefix;
    const prefix = typeof raw === 'string' ? raw.replace(/\/+$/, '') : undefined;
    if (prefix === undefined || (prefix !== '' && !isRepositoryName(prefix))) {
      throw policyError(source, `${where}: prefix must be a repository name or "" for every repository`);
    }
    if (seen.has(prefix)) throw policyError(source, `${where}: a second rule for prefix "${prefix}"`);
    seen.add(prefix);
    return { where, prefix, entry: entry as Record<string, unknown> };
  });
}

export function durationField(value: unknown, source: string, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw policyError(source, `${where} must be a duration such as 14d`);
  try {
    return parseDuration(String(value));
  } catch {
    throw policyError(source, `${where}: "${String(value)}" is not a duration such as 12h or 14d`);
  }
}

export function sizeField(value: unknown, source: string, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw policyError(source, `${where} must be a size such as 10GiB`);
  try {
    return parseByteSize(String(value));
  } catch {
    throw policyError(source, `${where}: "${String(value)}" is not a size such as 500MiB or 10GiB`);
  }
}

export async function readPolicyText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StrataError('NotFound', `${path}: no such file`, { cause: error, details: { file: path } });
    throw new StrataError('FailedPrecondition', `${path}: ${(error as Error).message}`, { cause: error, details: { file: path } });
  }
}
