import { createHash } from 'node:crypto';

/**
 * A 64-bit advisory lock key (as the decimal text of a bigint) for
 * `namespace` on `schema`: the same in every process, so all of them using
 * one schema meet on one lock. Keys are stored nowhere, but running
 * processes of different versions must agree on them: the derivation never
 * changes.
 */
export function advisoryLockKey(namespace: string, schema: string): string {
  return createHash('sha256').update(`${namespace}\0${schema}`).digest().readBigInt64BE(0).toString();
}
