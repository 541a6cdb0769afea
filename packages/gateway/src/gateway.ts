import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import FindMyWay from 'find-my-way';
import { pino, type Logger } from 'pino';
import { UNRESTRICTED, type RegistryAuth } from './auth.ts';
import { LocalCollectionGuard, type CollectionGuard } from './collection-guard.ts';
import type { GatewayDeps, GatewayStore, RequestContext } from './context.ts';
import { RegistryError, registryErrorFrom } from './errcode.ts';
import type { RegistryMetadata } from './metadata.ts';
import { GatewayMetrics } from './metrics.ts';
import { encodeRepositoryPath } from './names.ts';
import { PullRecorder } from './pull-times.ts';
import { QuotaEnforcer, type QuotaPolicy } from './quotas.ts';
import { sendError } from './respond.ts';
import { ROUTES, type Route } from './routes.ts';

export interface GatewayOptions {
  store: GatewayStore;
  metadata: RegistryMetadata;
  /** DELETE of manifests, tags and blobs; on by default. */
  deletesEnabled?: boolean;
  /** Users, access rules and token auth; without it everyone may do everything. */
  auth?: RegistryAuth;
  /** Structured request logs; a pino logger at `info` on stdout by default. */
  logger?: Logger;
  /** Quotas per repository prefix, read at each push (so a reloaded policy applies at once). */
  quotas?: () => QuotaPolicy | undefined;
  /** Called after each manifest push. */
  onPush?: () => void;
  /**
   * Shared with the garbage collection that runs over the same metadata;
   * by default a LocalCollectionGuard, which orders this process only.
   */
  guard?: CollectionGuard;
}

export interface CloseOptions {
  /** How long in-flight requests may run on before their connections are cut; 10 s by default. */
  deadlineMs?: number;
}

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };

/**
 * How far each connection's bytes read have been counted. By the time a
 * handler runs, the parser has already read the request's headers, and a
 * small body arrives in the same read; counting from the end of the previous
 * request on the connection gives each request all of its own bytes.
 */
const accountedBytesRead = new WeakMap<Socket, number>();

/**
 * The OCI Distribution API over a ContentStore, on node:http with a
 * find-my-way route table. The gateway owns its HTTP server; the store and
 * the metadata are the caller's to open and close.
 */
export class Gateway {
  readonly metrics: GatewayMetrics;
  /** What pushes and garbage collection agree on; a collection over this gateway's metadata must use it. */
  readonly guard: CollectionGuard;
  /** Manifest pull times; close() writes what is pending. */
  readonly pulls: PullRecorder;
  readonly #deps: GatewayDeps;
  readonly #router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 1024 });
  readonly #server: Server;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;

  constructor(options: GatewayOptions) {
    this.#log = options.logger ?? pino({ name: 'strata-gateway' });
    this.metrics = new GatewayMetrics(options.store.stats?.bind(options.store));
    this.guard = options.guard ?? new LocalCollectionGuard();
    this.pulls = new PullRecorder(options.metadata, { log: this.#log });
    this.#deps = {
      store: options.store,
      metadata: options.metadata,
      guard: this.guard,
      pulls: this.pulls,
      quotas: options.quotas ? new QuotaEnforcer(options.metadata, options.store, options.quotas) : undefined,
      onPush: options.onPush ?? (() => {}),
      settings: { deletesEnabled: options.deletesEnabled ?? true },
      metrics: this.metrics,
      log: this.#log,
      auth: options.auth,
      readiness: () => this.#readiness(),
    };
    for (const route of ROUTES) this.#router.on(route.method, route.path, () => {}, route);
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Starts listening; resolves with the address bound (port 0 picks a free one). */
  async listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return this.address();
  }

  address(): AddressInfo {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('gateway is not listening');
    return address;
  }

  /** The gateway's logger, for work that runs beside it (garbage collection). */
  get log(): Logger {
    return this.#log;
  }

  /** `http://host:port` of the listening server. */
  get url(): string {
    const { address, port, family } = this.address();
    return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish, and cuts
   * the connections still busy at the deadline. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (!this.#server.listening) return resolve();
      const deadline = setTimeout(() => this.#server.closeAllConnections(), options.deadlineMs ?? 10_000);
      this.#server.close(() => {
        clearTimeout(deadline);
        resolve();
      });
      this.#server.closeIdleConnections();
    }).then(() =>
      // The metadata is still open: the caller closes it after the gateway.
      this.pulls.close().catch((error: unknown) => this.#log.warn({ err: error }, 'pull times not recorded')),
    );
    return this.#closing;
  }

  async #readiness(): Promise<string | undefined> {
    if (this.#closing) return 'shutting down';
    try {
      // Any answer, found or not, shows the store is serving.
      await this.#deps.store.stat(`sha256:${'0'.repeat(64)}`).catch((error: unknown) => {
        if (registryErrorFrom(error).status !== 404) throw error;
      });
      return undefined;
    } catch {
      return 'store not answering';
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
    const socket = req.socket;
    const readAtStart = accountedBytesRead.get(socket) ?? 0;
    const writtenAtStart = socket.bytesWritten;
    for (const [name, value] of Object.entries(API_VERSION)) res.setHeader(name, value);
    res.setHeader('x-request-id', requestId);

    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));
    const path = encodeRepositoryPath(pathname);
    const method = (req.method ?? 'GET') as Route['method'];
    const found = this.#router.find(method, path);
    const route = found?.store as Route | undefined;
    const routeName = route?.name ?? 'unmatched';

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const bytesIn = socket.bytesRead - readAtStart;
      accountedBytesRead.set(socket, socket.bytesRead);
      const bytesOut = socket.bytesWritten - writtenAtStart;
      const labels = { route: routeName, method, status: String(res.statusCode) };
      this.metrics.requests.inc(labels);
      this.metrics.duration.observe({ route: routeName, method }, seconds);
      this.metrics.bytesIn.inc({ route: routeName }, bytesIn);
      this.metrics.bytesOut.inc({ route: routeName }, bytesOut);
      this.#log.info(
        { requestId, method, route: routeName, path: pathname, status: res.statusCode, bytesIn, bytesOut, durationMs: Math.round(seconds * 1000), completed: res.writableFinished },
        'request',
      );
      // While shutting down, a connection that has finished its request is not kept alive.
      if (this.#closing) this.#server.closeIdleConnections();
    });

    const head = method === 'HEAD';
    if (!found || !route) {
      const known = ROUTES.some((candidate) => this.#router.find(candidate.method, path));
      sendError(res, known ? new RegistryError('UNSUPPORTED', { detail: { method } }) : new RegistryError('NAME_UNKNOWN', { status: 404, detail: { path: pathname } }), head);
      return;
    }
    try {
      const access = this.#deps.auth ? await this.#deps.auth.authorize(req, route.access, found.params.name) : UNRESTRICTED;
      const context: RequestContext = { req, res, params: found.params, query, deps: this.#deps, access, signal: abort.signal };
      await route.handler(context);
    } catch (error) {
      const answer = registryErrorFrom(error, route.notFound);
      if (answer.status >= 500) this.#log.error({ requestId, route: routeName, err: error }, 'request failed');
      sendError(res, answer, head);
    }
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
