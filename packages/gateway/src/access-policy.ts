/**
 * Who may do what: the users of an auth file and its rules, asked about one
 * repository at a time. The longest rule prefix that matches the repository
 * (on path-component boundaries) decides alone; a repository no rule
 * matches is closed to everyone.
 */
import { ACTIONS, ANONYMOUS, ANY_USER, type AccessRule, type Action, type AuthConfig } from './auth-file.ts';
import { isRepositoryName, isUnderPrefix } from './names.ts';
import { verifyPassword } from './passwords.ts';
import { CATALOG_SCOPE, type AccessEntry } from './scopes.ts';

export class AccessPolicy {
  readonly #users: ReadonlyMap<string, string>;
  /** Longest prefix first, so the first match is the one that decides. */
  readonly #rules: readonly AccessRule[];

  constructor(config: AuthConfig) {
    this.#users = config.users;
    this.#rules = [...config.rules].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  hasUser(name: string): boolean {
    return this.#users.has(name);
  }

  /** The stored hash of a user, for tokens that must lapse when the password changes. */
  passwordHashOf(name: string): string | undefined {
    return this.#users.get(name);
  }

  /** Whether the password is the user's; unknown users are refused after the same work as known ones. */
  authenticate(name: string, password: string): Promise<boolean> {
    return verifyPassword(this.#users.get(name), password);
  }

  /** The rule that decides for a repository. */
  ruleFor(repository: string): AccessRule | undefined {
    return this.#rules.find((rule) => isUnderPrefix(rule.prefix, repository));
  }

  /** What `user` (undefined: not signed in) may do in `repository`. */
  actionsFor(user: string | undefined, repository: string): Set<Action> {
    const allowed = new Set<Action>();
    if (!isRepositoryName(repository)) return allowed;
    if (user !== undefined && !this.#users.has(user)) return allowed;
    const rule = this.ruleFor(repository);
    if (!rule) return allowed;
    for (const action of ACTIONS) {
      const who = rule[action];
      if (who.includes(ANONYMOUS) || (user !== undefined && (who.includes(ANY_USER) || who.includes(user)))) allowed.add(action);
    }
    return allowed;
  }

  /**
   * What a token for `user` may carry: each requested repository scope cut
   * down to the actions the rules allow (entries left with none are dropped),
   * and the catalog, which everyone may read (it lists only what the reader
   * may pull).
   */
  grant(user: string | undefined, requested: readonly AccessEntry[]): AccessEntry[] {
    const granted: AccessEntry[] = [];
    for (const entry of requested) {
      if (entry.type === 'repository') {
        const allowed = this.actionsFor(user, entry.name);
        const wanted = entry.actions.includes('*') ? [...ACTIONS] : entry.actions;
        const actions = ACTIONS.filter((action) => wanted.includes(action) && allowed.has(action));
        if (actions.length > 0) granted.push({ type: 'repository', name: entry.name, actions });
      } else if (entry.type === CATALOG_SCOPE.type && entry.name === CATALOG_SCOPE.name) {
        granted.push({ ...CATALOG_SCOPE });
      }
    }
    return granted;
  }
}
