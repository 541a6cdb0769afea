import type { RequestContext } from '../context.ts';
import { pageOf, paginate, probePage } from '../pagination.ts';
import { sendJson } from '../respond.ts';

/** `GET /v2/_catalog?n=&last=`: repository names in lexical order, a page at a time. */
export async function listRepositories(context: RequestContext): Promise<void> {
  const page = pageOf(context.query);
  const { names, headers } = paginate(
    '/v2/_catalog',
    page,
    await context.deps.metadata.listRepositories(probePage(page)),
  );
  sendJson(context.res, 200, { repositories: names }, headers);
}
