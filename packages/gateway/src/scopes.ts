/**
 * Docker token-auth scopes (`repository:team/app:pull,push`,
 * `registry:catalog:*`) and the `access` claim of a token, which lists what
 * it grants in the same terms.
 */

/** One entry of a token's `access` claim: a resource and the actions granted on it. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export const CATALOG_SCOPE: AccessEntry = { type: 'registry', name: 'catalog', actions: ['*'] };

/**
 * `TYPE[(CLASS)]:NAME:ACTIONS`. The name may itself hold a colon (a
 * registry host with a port), so the type ends at the first colon and the
 * actions start after the last one. Malformed scopes are undefined: a token
 * request ignores them rather than failing.
 */
export function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first + 1) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  const name = scope.slice(first + 1, last);
  const actions = scope.slice(last + 1).split(',').filter((action) => action.length > 0);
  if (!/^[a-z]+$/.test(type) || actions.length === 0) return undefined;
  return { type, name, actions };
}

export function formatScope(entry: AccessEntry): string {
  return `${entry.type}:${entry.name}:${entry.actions.join(',')}`;
}

/** Every scope of a request: repeated parameters, each of which may hold several separated by spaces. */
export function scopesOf(values: readonly string[]): AccessEntry[] {
  const entries: AccessEntry[] = [];
  for (const value of values) {
    for (const scope of value.split(' ')) {
      const entry = scope === '' ? undefined : parseScope(scope);
      if (!entry) continue;
      const same = entries.find((other) => other.type === entry.type && other.name === entry.name);
      if (same) same.actions = [...new Set([...same.actions, ...entry.actions])];
      else entries.push(entry);
    }
  }
  return entries;
}

/** Whether a token's access claim grants `action` on a resource (`*` grants every action). */
export function grants(access: readonly AccessEntry[], type: string, name: string, action: string): boolean {
  return access.some((entry) => entry.type === type && entry.name === name && (entry.actions.includes(action) || entry.actions.includes('*')));
}
