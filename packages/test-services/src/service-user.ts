import { chown } from 'node:fs/promises';
import { StrataError } from '@strata/errors';
import { runCommand } from './run-command.ts';

/** Who a daemon runs as: nobody to switch to when this process is not root. */
export interface ServiceUser {
  uid?: number;
  gid?: number;
}

/**
 * PostgreSQL refuses to run as root, and CI runs as root: there the server
 * runs as the given system user (Debian's postgresql package creates
 * `postgres`). Anyone else runs it as themselves.
 */
export async function serviceUser(name: string): Promise<ServiceUser> {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number((await runCommand('id', ['-u', name])).trim());
    const gid = Number((await runCommand('id', ['-g', name])).trim());
    return { uid, gid };
  } catch (error) {
    throw new StrataError('FailedPrecondition', `running as root, PostgreSQL needs the system user ${name}, which does not exist (install postgresql-15)`, {
      cause: error,
      details: { user: name },
    });
  }
}

/** Hands `paths` to the service user, so the daemon can write where root created them. */
export async function giveTo(user: ServiceUser, ...paths: string[]): Promise<void> {
  if (user.uid === undefined || user.gid === undefined) return;
  for (const path of paths) await chown(path, user.uid, user.gid);
}
