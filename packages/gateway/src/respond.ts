import type { ServerResponse } from 'node:http';
import type { RegistryError } from './errcode.ts';

export type Headers = Record<string, string | number>;

/** An answer with no body (Content-Length 0). */
export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  res.writeHead(status, { ...headers, 'content-length': 0 });
  res.end();
}

/** A JSON answer; HEAD gets the headers only. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Headers = {}, head = false): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': body.length });
  res.end(head ? undefined : body);
}

/** The error's envelope, unless the answer is already under way (then the connection is cut). */
export function sendError(res: ServerResponse, error: RegistryError, head = false): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body = Buffer.from(error.body());
  res.writeHead(error.status, { ...error.headers, 'content-type': 'application/json', 'content-length': body.length });
  res.end(head ? undefined : body);
}
