/**
 * Password hashes: argon2id in PHC string form, so the parameters travel
 * with each hash and can be raised later without breaking stored ones.
 */
import { argon2id, hash as argonHash, verify as argonVerify } from 'argon2';
import { StrataError } from '@strata/errors';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane; bounded memory per login on a small server. */
const HASH_OPTIONS = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;

/** Why a password is too weak to store, or undefined when it is acceptable. */
export function passwordWeakness(password: string): string | undefined {
  if (password.trim().length === 0) return 'the password is empty';
  if ([...password].length < MIN_PASSWORD_LENGTH) return `the password is shorter than ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const weakness = passwordWeakness(password);
  if (weakness) throw new StrataError('InvalidArgument', weakness);
  return argonHash(password, HASH_OPTIONS);
}

/** A hash no password matches, verified for unknown users so that they take as long to refuse as known ones. */
let decoy: Promise<string> | undefined;

/** True when `password` matches `hash`; an unknown user (`hash` undefined) is refused after the same work. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (hash === undefined) {
    decoy ??= argonHash(`decoy-${Math.random()}`, HASH_OPTIONS);
    await argonVerify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await argonVerify(hash, password);
  } catch {
    // A hash argon2 cannot read matches nothing.
    return false;
  }
}
