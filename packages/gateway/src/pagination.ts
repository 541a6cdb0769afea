import { RegistryError } from './errcode.ts';
import type { Page } from './metadata.ts';

/** The most names one answer holds, whatever `n` asks for. */
export const MAX_PAGE = 1000;

/** The `n` and `last` of a list request. */
export function pageOf(query: URLSearchParams): Page {
  const n = query.get('n');
  const last = query.get('last');
  let limit = MAX_PAGE;
  if (n !== null) {
    if (!/^\d+$/.test(n)) throw new RegistryError('UNSUPPORTED', { status: 400, detail: { n } });
    limit = Math.min(Number(n), MAX_PAGE);
  }
  return last === null || last === '' ? { limit } : { limit, last };
}

/** The page one name longer than asked, so the answer knows whether more follow. */
export function probePage(page: Page): Page {
  return { ...page, limit: page.limit + 1 };
}

/**
 * Trims names read with `probePage` to the page, with an RFC 5988 Link to
 * the next page when more follow.
 */
export function paginate(path: string, page: Page, names: string[]): { names: string[]; headers: Record<string, string> } {
  if (names.length <= page.limit) return { names, headers: {} };
  const shown = names.slice(0, page.limit);
  const next = new URLSearchParams({ n: String(page.limit), last: shown.at(-1) ?? '' });
  return { names: shown, headers: { link: `<${path}?${next.toString()}>; rel="next"` } };
}
