import { type DeflateExpansion, type ExpandOptions, expandDeflate } from './expand-deflate.ts';
import { type GzipExpansion, expandGzip } from './gzip-expander.ts';
import { isGzip, reconstructGzip } from './gzip.ts';
import { reconstructDeflate } from './rebuild-deflate.ts';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Expands a gzip file (or, with `format: 'deflate'`, a raw deflate stream)
 * and rebuilds it once from the result. Returns the expansion only when the
 * rebuild is byte-identical to the input, undefined otherwise; callers keep
 * the expanded form only then. Malformed input still throws InvalidArgument.
 */
export function expandVerified(
  bytes: Uint8Array,
  options: ExpandOptions & { format: 'deflate' },
): DeflateExpansion | undefined;
export function expandVerified(bytes: Uint8Array, options?: ExpandOptions & { format?: 'gzip' }): GzipExpansion | undefined;
export function expandVerified(
  bytes: Uint8Array,
  options: ExpandOptions & { format?: 'gzip' | 'deflate' } = {},
): DeflateExpansion | GzipExpansion | undefined {
  if (options.format === 'deflate') {
    const expansion = expandDeflate(bytes, options);
    const rebuilt = reconstructDeflate(expansion.plaintext, expansion.corrections);
    return sameBytes(rebuilt, bytes.subarray(0, expansion.consumed)) ? expansion : undefined;
  }
  const expansion = expandGzip(bytes, options);
  const rebuilt = reconstructGzip(expansion.plaintext, expansion.corrections);
  return sameBytes(rebuilt, bytes) ? expansion : undefined;
}

export { isGzip };
