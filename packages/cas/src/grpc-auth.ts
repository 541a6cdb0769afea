import { createHash, timingSafeEqual } from 'node:crypto';
import { type Metadata, ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { StrataError } from '@strata/errors';
import { toGrpcStatus } from '@strata/proto';

/** Calls under this prefix (health checking) need no token: load balancers probe without one. */
const OPEN_PREFIX = '/grpc.health.v1.Health/';

/**
 * The bearer tokens of a token file: one per line; blank lines and lines
 * starting with `#` are ignored. InvalidArgument for a token with
 * whitespace inside, or a file with no token at all.
 */
export function parseBearerTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/\s/.test(line)) throw new StrataError('InvalidArgument', `line ${i + 1} of the token file is not one token`);
    tokens.push(line);
  }
  if (tokens.length === 0) throw new StrataError('InvalidArgument', 'the token file holds no token');
  return tokens;
}

/**
 * Refuses every call but health checks unless its `authorization` metadata
 * is `Bearer <token>` for one of `tokens`: UNAUTHENTICATED otherwise. Tokens
 * are compared as SHA-256 digests in constant time, against all of them
 * every time, so the answer's timing says nothing about how close a guess was.
 */
export function bearerTokenInterceptor(tokens: readonly string[]): ServerInterceptor {
  const digests = tokens.map(digestOf);
  const authorized = (metadata: Metadata): boolean => {
    const values = metadata.get('authorization');
    if (values.length !== 1 || typeof values[0] !== 'string') return false;
    const match = /^Bearer ([^\s]+)$/i.exec(values[0]);
    if (!match) return false;
    const offered = digestOf(match[1]!);
    let found = false;
    for (const digest of digests) found = timingSafeEqual(offered, digest) || found;
    return found;
  };
  return (method, call) => {
    if (method.path.startsWith(OPEN_PREFIX)) return new ServerInterceptingCall(call);
    let refused = false;
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, pass) {
            if (authorized(metadata)) return pass(metadata);
            refused = true;
            const status = toGrpcStatus(new StrataError('Unauthenticated', 'a valid bearer token is required'));
            call.sendStatus({ ...status, details: status.details ?? '' });
          },
          // A refused call's messages go nowhere: its handler never started.
          onReceiveMessage(message, pass) {
            if (!refused) pass(message);
          },
          onReceiveHalfClose(pass) {
            if (!refused) pass();
          },
        });
      },
    });
  };
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
