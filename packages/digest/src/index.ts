export {
  type Digest,
  type DigestAlgorithm,
  parseDigest,
  isDigest,
  formatDigest,
  canonicalDigest,
} from './digest.ts';
export { Digester, digestBytes, digestStream, sha256Raw } from './hashing.ts';
