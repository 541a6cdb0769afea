import {
  type ChannelOptions,
  ChannelCredentials,
  credentials as grpcCredentials,
  type Interceptor,
  InterceptingCall,
  loadPackageDefinition,
} from '@grpc/grpc-js';
import { CAS_SERVICE_NAME, loadCasPackageDefinition } from '@strata/proto';
import type { ContentStoreClient } from '@strata/proto';
import { StrataError } from '@strata/errors';
import { RemoteContentStore } from './remote-store.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';

export interface ClientTls {
  /** PEM CA bundle that signed the server's certificate; the system's roots when absent. */
  ca?: Buffer;
  /** PEM client certificate and key, for servers that require mTLS. */
  cert?: Buffer;
  key?: Buffer;
  /** Name to check the server's certificate against, when not the address's host. */
  serverName?: string;
}

export interface ConnectOptions {
  /** Speak TLS; plaintext otherwise (for loopback). */
  tls?: ClientTls;
  /** Deadline of each unary call; 60 s by default. Streams have none: cancel them with a signal. */
  deadlineMs?: number;
  /** Retries of idempotent calls on transient failures. */
  retry?: Partial<RetryPolicy>;
  /** Interval of keepalive pings on an otherwise silent connection; 30 s by default. */
  keepaliveMs?: number;
  /** Largest message sent or accepted; 16 MiB by default (match the server's). */
  maxMessageBytes?: number;
  /** Bytes per Write message; 1 MiB by default. */
  writePieceBytes?: number;
  /** Bearer token sent with every call, for servers started with `--auth-token-file`. */
  token?: string;
}

const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Connects to a `strata cas` server at `HOST:PORT`. The channel connects
 * lazily and reconnects by itself; `close()` releases it.
 */
export function connectContentStore(address: string, options: ConnectOptions = {}): RemoteContentStore {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const channelOptions: ChannelOptions = {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': options.keepaliveMs ?? 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    // A lost connection is retried soon: resumed writes should not wait long.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 2000,
    // strata retries idempotent calls itself; grpc-js must not replay the others.
    'grpc.enable_retries': 0,
    // Large blobs stream faster when the server may run further ahead of the reader.
    'grpc-node.flow_control_window': 8 * 1024 * 1024,
    ...(options.tls?.serverName ? { 'grpc.ssl_target_name_override': options.tls.serverName } : {}),
  };
  const credentials: ChannelCredentials = options.tls
    ? grpcCredentials.createSsl(options.tls.ca ?? null, options.tls.key ?? null, options.tls.cert ?? null)
    : grpcCredentials.createInsecure();
  const loaded = loadPackageDefinition(loadCasPackageDefinition());
  const Service = serviceConstructor(loaded, CAS_SERVICE_NAME);
  const client = new Service(address, credentials, {
    ...channelOptions,
    ...(options.token !== undefined ? { interceptors: [bearerToken(options.token)] } : {}),
  });
  return new RemoteContentStore(client, {
    deadlineMs: options.deadlineMs ?? 60_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    writePieceBytes: Math.min(options.writePieceBytes ?? 1024 * 1024, maxMessageBytes - 1024),
  });
}

// An interceptor rather than call credentials: grpc-js sends those over TLS
// only, and a token to a loopback server in plaintext is a legitimate setup.
function bearerToken(token: string): Interceptor {
  if (token.length === 0 || /\s/.test(token)) throw new StrataError('InvalidArgument', 'a bearer token is one non-empty word');
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

type ServiceConstructor = new (
  address: string,
  credentials: ChannelCredentials,
  options: ChannelOptions & { interceptors?: Interceptor[] },
) => ContentStoreClient;

function serviceConstructor(loaded: object, name: string): ServiceConstructor {
  let node: unknown = loaded;
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ServiceConstructor;
}
