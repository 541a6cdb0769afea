import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

/** Where podman/skopeo and docker keep logins, in the order they are consulted. */
function authFiles(): string[] {
  const files: string[] = [];
  if (process.env.REGISTRY_AUTH_FILE) files.push(process.env.REGISTRY_AUTH_FILE);
  if (process.env.XDG_RUNTIME_DIR) files.push(join(process.env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(join(homedir(), '.config', 'containers', 'auth.json'));
  files.push(join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'));
  return files;
}

function keysFor(host: string): string[] {
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  if (host === 'docker.io') keys.push('https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io');
  return keys;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
}

function decode(entry: AuthEntry): Credentials | undefined {
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 ? { username: text.slice(0, colon), password: text.slice(colon + 1) } : undefined;
}

/**
 * The stored login for a registry host from containers auth.json or docker
 * config.json (plain `auth` entries; credential helpers are not run), or
 * undefined. Unreadable or malformed files are passed over.
 */
export async function findCredentials(host: string): Promise<Credentials | undefined> {
  for (const file of authFiles()) {
    let auths: Record<string, AuthEntry> | undefined;
    try {
      auths = (JSON.parse(await readFile(file, 'utf8')) as { auths?: Record<string, AuthEntry> }).auths;
    } catch {
      continue;
    }
    for (const key of keysFor(host)) {
      const entry = auths?.[key];
      const credentials = entry ? decode(entry) : undefined;
      if (credentials) return credentials;
    }
  }
  return undefined;
}
