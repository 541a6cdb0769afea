import { InvalidArgumentError } from 'commander';
import { isDigest } from '@strata/digest';

/** Commander parser for a digest argument; a malformed one is a usage error. */
export function parseDigestArgument(value: string): string {
  if (!isDigest(value)) throw new InvalidArgumentError('Expected a digest: sha256:<64 hex digits>.');
  return value;
}

/** Commander parser for a byte offset or count: a non-negative decimal integer. */
export function parseByteCount(value: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count)) throw new InvalidArgumentError('Expected a non-negative integer.');
  return count;
}
