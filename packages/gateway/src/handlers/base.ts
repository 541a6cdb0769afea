import type { RequestContext } from '../context.ts';
import { sendJson } from '../respond.ts';

/** `GET /v2/`: the API version check clients make first. */
export async function getBase(context: RequestContext): Promise<void> {
  sendJson(context.res, 200, {}, {}, context.req.method === 'HEAD');
}
