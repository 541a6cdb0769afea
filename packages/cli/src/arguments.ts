import { InvalidArgumentError } from 'commander';
import { isDigest } from '@strata/digest';
import { parseByteSize, parseDuration } from '@strata/gateway';

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

/** Commander parser for a duration such as 30m, 6h or 14d, in milliseconds. */
export function parseDurationArgument(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError('Expected a duration such as 30m, 6h or 14d.');
  }
}

/** Commander parser for a size such as 500MiB or 50GiB, in bytes. */
export function parseSizeArgument(value: string): number {
  try {
    return parseByteSize(value);
  } catch {
    throw new InvalidArgumentError('Expected a size such as 500MiB or 50GiB.');
  }
}
