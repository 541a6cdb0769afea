/**
 * Sizes and durations as operators write them in flags and policy files
 * ("50GiB", "6h", "14d").
 */
import bytes from 'bytes';
import ms from 'ms';
import { StrataError } from '@strata/errors';

/**
 * Bytes from "512", "10MB", "50GiB", "1.5 TB". Units are powers of 1024
 * whether written KB or KiB, as the `bytes` library reads them.
 */
export function parseByteSize(text: string): number {
  const normalized = text.trim().replace(/([kmgtp])ib$/i, '$1b');
  const value = /^\d+$/.test(normalized) ? Number(normalized) : bytes.parse(normalized);
  if (value === null || !Number.isFinite(value) || value < 0 || !/^\+?\d/.test(normalized)) {
    throw new StrataError('InvalidArgument', `"${text}" is not a size (e.g. 500MiB, 50GiB)`);
  }
  return Math.floor(value);
}

/** Milliseconds from "90s", "30m", "6h", "14d" ("0" is zero). */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const value = trimmed === '0' ? 0 : (ms(trimmed as ms.StringValue) as number | undefined);
  if (value === undefined || !Number.isFinite(value) || value < 0) {
    throw new StrataError('InvalidArgument', `"${text}" is not a duration (e.g. 30m, 6h, 14d)`);
  }
  return value;
}

/** "1.5 GiB", "300 KiB": sizes for people. */
export function formatBytes(value: number): string {
  return (bytes.format(value, { unitSeparator: ' ', decimalPlaces: 1 }) ?? String(value)).replace(/([KMGTP])B$/, '$1iB');
}
