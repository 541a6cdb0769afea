import type { RequestContext } from '../context.ts';
import { MAX_PAGE, pageOf, paginate, probePage } from '../pagination.ts';
import type { Page } from '../metadata.ts';
import { sendJson } from '../respond.ts';

/** `GET /v2/_catalog?n=&last=`: repository names in lexical order, a page at a time, only those the caller may pull. */
export async function listRepositories(context: RequestContext): Promise<void> {
  const page = pageOf(context.query);
  const { names, headers } = paginate('/v2/_catalog', page, await readable(context, probePage(page)));
  sendJson(context.res, 200, { repositories: names }, headers);
}

/** Up to `page.limit` names after `page.last` that the caller may pull, reading past the ones it may not. */
async function readable(context: RequestContext, page: Page): Promise<string[]> {
  const { metadata } = context.deps;
  const { access } = context;
  if (access.unrestricted) return metadata.listRepositories(page);
  const names: string[] = [];
  let last = page.last;
  for (;;) {
    const batch = await metadata.listRepositories(last === undefined ? { limit: MAX_PAGE } : { limit: MAX_PAGE, last });
    for (const name of batch) {
      if (!access.lists(name)) continue;
      names.push(name);
      if (names.length === page.limit) return names;
    }
    if (batch.length < MAX_PAGE) return names;
    last = batch.at(-1);
  }
}
