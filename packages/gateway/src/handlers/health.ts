import type { RequestContext } from '../context.ts';
import { sendJson } from '../respond.ts';

/** `GET /healthz`: the process answers. */
export async function healthz(context: RequestContext): Promise<void> {
  sendJson(context.res, 200, { status: 'ok' });
}

/** `GET /readyz`: ready to serve: not shutting down, and the store answers. */
export async function readyz(context: RequestContext): Promise<void> {
  const problem = await context.deps.readiness();
  sendJson(context.res, problem === undefined ? 200 : 503, problem === undefined ? { status: 'ready' } : { status: 'not ready', problem });
}

/** `GET /metrics`: Prometheus text format. */
export async function metrics(context: RequestContext): Promise<void> {
  const { registry } = context.deps.metrics;
  const body = Buffer.from(await registry.metrics());
  context.res.writeHead(200, { 'content-type': registry.contentType, 'content-length': body.length });
  context.res.end(body);
}
