/**
 * The auth file of `strata serve --auth FILE`: users with password hashes,
 * and access rules per repository prefix. YAML, so operators can comment
 * their rules; `strata user add/remove` edit it through the YAML document
 * model, which keeps those comments.
 *
 *   users:
 *     alice:
 *       password: $argon2id$v=19$m=19456,t=2,p=1$...
 *   access:
 *     - prefix: ""              # every repository
 *       pull: [anonymous]
 *     - prefix: team            # team and team/..., but not teamwork
 *       pull: ["*"]
 *       push: [alice]
 *       delete: [alice]
 *
 * The README of this package describes the matching rules.
 */
import { chmod, open, rename, rm } from 'node:fs/promises';
import { StrataError } from '@strata/errors';
import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { isRepositoryName } from './names.ts';
import { readPolicyText } from './policy-file.ts';

export const ACTIONS = ['pull', 'push', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** In a rule's lists: everyone, whether signed in or not. */
export const ANONYMOUS = 'anonymous';
/** In a rule's lists: every signed-in user. */
export const ANY_USER = '*';

/** What may stand in a user name: no colon (HTTP basic splits there), nothing a YAML reader could mistake. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface AccessRule {
  /** A repository name prefix on path-component boundaries; "" matches every repository. */
  prefix: string;
  pull: string[];
  push: string[];
  delete: string[];
}

export interface AuthConfig {
  /** User name → the PHC-format password hash. */
  users: Map<string, string>;
  rules: AccessRule[];
}

export function isUserName(name: string): boolean {
  return USER_NAME.test(name) && name !== ANONYMOUS;
}

function invalid(source: string, what: string): StrataError {
  return new StrataError('InvalidArgument', `${source}: ${what}`, { details: { file: source } });
}

function stringList(value: unknown, source: string, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid(source, `${where} must be a list of user names`);
  }
  for (const name of value as string[]) {
    if (name !== ANONYMOUS && name !== ANY_USER && !isUserName(name)) throw invalid(source, `${where}: "${name}" is not a user name`);
  }
  return value as string[];
}

/** Reads an auth file's text; refuses anything it does not understand rather than guess at access rules. */
export function parseAuthConfig(text: string, source = 'auth file'): AuthConfig {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw invalid(source, `not valid YAML: ${document.errors[0]?.message ?? ''}`);
  const root = (document.toJS() ?? {}) as unknown;
  if (typeof root !== 'object' || Array.isArray(root) || root === null) throw invalid(source, 'expected a mapping with users and access');
  for (const key of Object.keys(root)) if (key !== 'users' && key !== 'access') throw invalid(source, `unknown key "${key}"`);
  const { users: rawUsers, access: rawAccess } = root as { users?: unknown; access?: unknown };

  const users = new Map<string, string>();
  if (rawUsers !== undefined && rawUsers !== null) {
    if (typeof rawUsers !== 'object' || Array.isArray(rawUsers)) throw invalid(source, 'users must be a mapping of name to { password }');
    for (const [name, entry] of Object.entries(rawUsers as Record<string, unknown>)) {
      if (!isUserName(name)) throw invalid(source, `"${name}" is not a valid user name`);
      const password = (entry as { password?: unknown } | null)?.password;
      if (typeof password !== 'string' || !password.startsWith('$')) throw invalid(source, `user ${name} has no password hash`);
      users.set(name, password);
    }
  }

  const rules: AccessRule[] = [];
  if (rawAccess !== undefined && rawAccess !== null) {
    if (!Array.isArray(rawAccess)) throw invalid(source, 'access must be a list of rules');
    for (const [index, entry] of rawAccess.entries()) {
      const where = `access[${index}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalid(source, `${where} must be a mapping`);
      for (const key of Object.keys(entry)) {
        if (key !== 'prefix' && !(ACTIONS as readonly string[]).includes(key)) throw invalid(source, `${where}: unknown key "${key}"`);
      }
      const rule = entry as Record<string, unknown>;
      const prefix = typeof rule.prefix === 'string' ? rule.prefix.replace(/\/+$/, '') : undefined;
      if (prefix === undefined || (prefix !== '' && !isRepositoryName(prefix))) {
        throw invalid(source, `${where}: prefix must be a repository name or "" for every repository`);
      }
      if (rules.some((other) => other.prefix === prefix)) throw invalid(source, `${where}: a second rule for prefix "${prefix}"`);
      rules.push({
        prefix,
        pull: stringList(rule.pull, source, `${where}.pull`),
        push: stringList(rule.push, source, `${where}.push`),
        delete: stringList(rule.delete, source, `${where}.delete`),
      });
    }
  }
  return { users, rules };
}

export async function loadAuthFile(path: string): Promise<AuthConfig> {
  return parseAuthConfig(await readPolicyText(path), path);
}


const NEW_FILE = `# strata registry users and access rules.
# Users are added with \`strata user add --auth FILE NAME\`; rules are edited here.
# Each rule names a repository prefix and who may pull, push and delete under it:
# user names, "*" for every signed-in user, "anonymous" for everyone.
# The longest matching prefix decides; a repository no rule matches is closed.
users:
access:
  # - prefix: ""            # every repository
  #   pull: [anonymous]
  # - prefix: team          # team and team/..., not teamwork
  #   pull: ["*"]
  #   push: [alice]
  #   delete: [alice]
`;

async function readDocument(path: string, create: boolean): Promise<Document> {
  let text: string;
  try {
    text = await readPolicyText(path);
  } catch (error) {
    if (!create || !(error instanceof StrataError) || error.code !== 'NotFound') throw error;
    text = NEW_FILE;
  }
  parseAuthConfig(text, path);
  return parseDocument(text);
}

/** Writes next to the file and renames over it, so a reader never sees half a file; hashes stay private (0600). */
async function writeDocument(path: string, document: Document): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    // No line folding: a hash stays on one line, where grep and diff find it.
    await handle.writeFile(document.toString({ lineWidth: 0, flowCollectionPadding: false }));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Sets a user's password hash, creating the file when it is missing.
 * An existing user is AlreadyExists unless `replace` is set.
 * Answers whether the user is new.
 */
export async function setUserPassword(path: string, name: string, passwordHash: string, options: { replace?: boolean } = {}): Promise<boolean> {
  if (!isUserName(name)) throw new StrataError('InvalidArgument', `"${name}" is not a valid user name`, { details: { name } });
  const document = await readDocument(path, true);
  let users = document.get('users');
  if (!isMap(users)) {
    users = document.createNode({});
    document.set('users', users);
  }
  // A new file's `users: {}` is a flow map; users are easier to read and diff one block each.
  (users as YAMLMap).flow = false;
  const exists = document.hasIn(['users', name]);
  if (exists && !options.replace) throw new StrataError('AlreadyExists', `user ${name} already exists in ${path}`, { details: { name } });
  document.setIn(['users', name], document.createNode({ password: passwordHash }));
  if (!document.has('access')) document.set('access', document.createNode([]));
  await writeDocument(path, document);
  return !exists;
}

/** Removes a user (NotFound when absent). Rules naming the user are left as they are: they grant nothing without the user. */
export async function removeUser(path: string, name: string): Promise<void> {
  const document = await readDocument(path, false);
  if (!document.hasIn(['users', name])) throw new StrataError('NotFound', `no user ${name} in ${path}`, { details: { name } });
  document.deleteIn(['users', name]);
  await writeDocument(path, document);
}
