import { canonicalDigest } from '@strata/digest';
import type { RequestContext } from './context.ts';
import { RegistryError } from './errcode.ts';
import { isRepositoryName } from './names.ts';

/** The repository named in the path, checked against the spec's grammar. */
export function repositoryOf(context: RequestContext): string {
  const name = context.params.name ?? '';
  if (!isRepositoryName(name)) throw new RegistryError('NAME_INVALID', { detail: { name } });
  return name;
}

/** A digest from the path or the query, in canonical form. */
export function digestOf(value: string | null | undefined): string {
  try {
    return canonicalDigest(value ?? '');
  } catch {
    throw new RegistryError('DIGEST_INVALID', { detail: { digest: value ?? null } });
  }
}

/** The request's declared body length, when it declared one. */
export function contentLength(context: RequestContext): number | undefined {
  const header = context.req.headers['content-length'];
  return header === undefined ? undefined : Number(header);
}
