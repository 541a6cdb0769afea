import { StrataError } from '@strata/errors';

/** Hash algorithms strata accepts in digests. sha256 is the canonical one. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** A parsed, validated OCI digest (`algorithm:encoded`). */
export interface Digest {
  readonly algorithm: DigestAlgorithm;
  /** Lowercase hex encoding of the hash. */
  readonly hex: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

// The OCI image spec grammar: algorithm-component (separator component)* ":" encoded.
const DIGEST_GRAMMAR = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

function isSupported(algorithm: string): algorithm is DigestAlgorithm {
  return algorithm === 'sha256' || algorithm === 'sha512';
}

/**
 * Parses and validates a digest string. Throws InvalidArgument for anything
 * malformed, for an unsupported algorithm, or for an encoding that is not
 * the algorithm's lowercase hex of the right length.
 */
export function parseDigest(text: string): Digest {
  const match = DIGEST_GRAMMAR.exec(text);
  if (!match) throw new StrataError('InvalidArgument', `invalid digest ${JSON.stringify(text)}`);
  const [, algorithm = '', hex = ''] = match;
  if (!isSupported(algorithm)) {
    throw new StrataError('InvalidArgument', `unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[a-f0-9]+$/.test(hex)) {
    throw new StrataError('InvalidArgument', `invalid ${algorithm} digest encoding in ${JSON.stringify(text)}`);
  }
  return { algorithm, hex };
}

/** True when `text` parses as a supported digest. */
export function isDigest(text: string): boolean {
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

export function formatDigest(digest: Digest): string {
  return `${digest.algorithm}:${digest.hex}`;
}

/** Normalizes a digest string (validates it and returns its canonical form). */
export function canonicalDigest(text: string): string {
  return formatDigest(parseDigest(text));
}
