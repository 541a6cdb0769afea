/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 that counts the requests passing
 * through it (by method and by S3 operation) and the body bytes each way.
 * Put in front of an S3 endpoint, it measures what every store using that
 * endpoint asks of it, the same way for all of them. Headers are passed on
 * as they came, Host included, so AWS signatures made for the proxy's
 * address still verify at the server behind it.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpCounts {
  requests: number;
  byMethod: Record<string, number>;
  /** S3 operations (GetObject, PutObject, UploadPart, ListObjects, ...), told apart by method, path and query. */
  byOperation: Record<string, number>;
  /** Responses with a status of 400 or more, which a store retries or treats as "absent". */
  errors: number;
  /** Request body bytes, client to server. */
  bytesUp: number;
  /** Response body bytes, server to client. */
  bytesDown: number;
}

export interface HttpCountingProxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Counts since the last reset; requests still in flight count once answered. */
  counts(): HttpCounts;
  reset(): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers: they describe one connection, not the request, so they are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function emptyCounts(): HttpCounts {
  return { requests: 0, byMethod: {}, byOperation: {}, errors: 0, bytesUp: 0, bytesDown: 0 };
}

/**
 * The S3 operation of a path-style request (`/BUCKET` or `/BUCKET/KEY`):
 * enough to tell object reads and writes from listings and multipart steps.
 */
export function s3Operation(method: string, path: string): string {
  const url = new URL(path, 'http://s3');
  const query = url.searchParams;
  const onObject = url.pathname.replace(/^\/+/, '').includes('/');
  if (!onObject) {
    if (method === 'GET') return query.has('uploads') ? 'ListMultipartUploads' : 'ListObjects';
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
    return `${method} bucket`;
  }
  if (method === 'GET') return query.has('uploadId') ? 'ListParts' : 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'PUT') return query.has('partNumber') ? 'UploadPart' : 'PutObject';
  if (method === 'POST') return query.has('uploads') ? 'CreateMultipartUpload' : query.has('uploadId') ? 'CompleteMultipartUpload' : 'POST object';
  if (method === 'DELETE') return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  return `${method} object`;
}

export async function startHttpCountingProxy(target: string): Promise<HttpCountingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let counts = emptyCounts();
  const sockets = new Set<Socket>();

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    // The counts a request belongs to are the ones current when it arrived: a reset between phases does not move it.
    const tally = counts;
    const proxied = request(
      { host: upstream.hostname, port: upstream.port, method, path, headers: forwardable(incoming.headers), agent },
      (answer) => {
        tally.requests++;
        tally.byMethod[method] = (tally.byMethod[method] ?? 0) + 1;
        const operation = s3Operation(method, path);
        tally.byOperation[operation] = (tally.byOperation[operation] ?? 0) + 1;
        if ((answer.statusCode ?? 500) >= 400) tally.errors++;
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers));
        answer.on('data', (piece: Buffer) => (tally.bytesDown += piece.byteLength));
        answer.pipe(outgoing);
        answer.once('error', () => outgoing.destroy());
      },
    );
    proxied.once('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502).end();
      else outgoing.destroy();
    });
    incoming.on('data', (piece: Buffer) => (tally.bytesUp += piece.byteLength));
    incoming.pipe(proxied);
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) proxied.destroy();
    });
  };

  const server = createServer({ keepAliveTimeout: 60_000 }, forward);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    counts: () => structuredClone(counts),
    reset() {
      counts = emptyCounts();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
