import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { StrataError } from '@strata/errors';
import { CAS_SERVICE_NAME, loadCasPackageDefinition } from '@strata/proto';
import type { Engine } from './engine.ts';
import { bearerTokenInterceptor } from './grpc-auth.ts';
import { contentStoreHandlers, type InFlight } from './grpc-handlers.ts';
import { formatListenAddress, isLoopbackHost, parseListenAddress } from './listen-address.ts';

export interface ServerTls {
  /** PEM certificate chain the server presents. */
  cert: Buffer;
  /** PEM private key of that certificate. */
  key: Buffer;
  /** PEM CA bundle; when given, clients must present a certificate it signed (mTLS). */
  clientCa?: Buffer;
}

export interface ServeOptions {
  /** `HOST:PORT` to listen on; port 0 picks a free one. */
  listen: string;
  /** Serve TLS; without it the server speaks plaintext, which is only allowed on loopback. */
  tls?: ServerTls;
  /** Allow plaintext on an address other hosts can reach. */
  insecure?: boolean;
  /** Largest message accepted or sent; larger ones fail with RESOURCE_EXHAUSTED. 16 MiB by default. */
  maxMessageBytes?: number;
  /**
   * Bearer tokens: when given, every call but health checks must carry
   * `authorization: Bearer <one of them>` (UNAUTHENTICATED otherwise).
   */
  authTokens?: readonly string[];
}

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export interface ContentStoreServer {
  /** The address and the port actually bound. */
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting calls, lets those in flight finish for up to `graceMs`,
   * then cancels the rest. Writes still open are closed (saved, resumable),
   * never aborted. Does not close the engine.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Serves `engine` as strata.cas.v1.ContentStore, with health checking and reflection. */
export async function serveContentStore(engine: Engine, options: ServeOptions): Promise<ContentStoreServer> {
  const address = parseListenAddress(options.listen);
  if (!options.tls && !options.insecure && !isLoopbackHost(address.host)) {
    throw new StrataError(
      'InvalidArgument',
      `refusing to serve plaintext on ${options.listen}: give a TLS certificate and key, listen on loopback, or allow it with --insecure`,
    );
  }
  if (options.authTokens?.length === 0) throw new StrataError('InvalidArgument', 'authTokens is empty: no call could be authorized');
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const server = new Server({
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    // Clients keep idle channels alive with pings; let them.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    ...(options.authTokens ? { interceptors: [bearerTokenInterceptor(options.authTokens)] } : {}),
  });

  const handlers = new Set<Promise<unknown>>();
  const inFlight: InFlight = {
    track(work) {
      const settled = work.catch(() => {}).finally(() => handlers.delete(settled));
      handlers.add(settled);
    },
  };

  const definition = loadCasPackageDefinition();
  const service = definition[CAS_SERVICE_NAME] as ServiceDefinition;
  server.addService(service, contentStoreHandlers(engine, inFlight) as never);
  const health = new HealthImplementation({ '': 'SERVING', [CAS_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(definition).addToServer(server);

  const credentials = options.tls
    ? ServerCredentials.createSsl(
        options.tls.clientCa ?? null,
        [{ cert_chain: options.tls.cert, private_key: options.tls.key }],
        options.tls.clientCa !== undefined,
      )
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(formatListenAddress(address), credentials, (error, bound) => {
      if (error) reject(new StrataError('Unavailable', `cannot listen on ${options.listen}: ${error.message}`, { cause: error }));
      else resolve(bound);
    });
  });

  let stopped: Promise<void> | undefined;
  return {
    host: address.host,
    port,
    shutdown(graceMs = 10_000) {
      stopped ??= (async () => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(CAS_SERVICE_NAME, 'NOT_SERVING');
        const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), graceMs);
        });
        if ((await Promise.race([graceful, deadline])) === 'late') server.forceShutdown();
        clearTimeout(timer);
        // Cancelled handlers still close their writers: wait for that.
        await Promise.all(handlers);
      })();
      return stopped;
    },
  };
}
