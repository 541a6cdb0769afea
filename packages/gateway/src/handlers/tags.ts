import type { RequestContext } from '../context.ts';
import { RegistryError } from '../errcode.ts';
import { pageOf, paginate, probePage } from '../pagination.ts';
import { repositoryOf } from '../params.ts';
import { sendJson } from '../respond.ts';

/** `GET /v2/<name>/tags/list?n=&last=`: tags in lexical order, a page at a time. */
export async function listTags(context: RequestContext): Promise<void> {
  const repository = repositoryOf(context);
  const { metadata } = context.deps;
  if (!(await metadata.repositoryExists(repository))) throw new RegistryError('NAME_UNKNOWN', { detail: { name: repository } });
  const page = pageOf(context.query);
  const { names, headers } = paginate(
    `/v2/${repository}/tags/list`,
    page,
    await metadata.listTags(repository, probePage(page)),
  );
  sendJson(context.res, 200, { name: repository, tags: names }, headers);
}
