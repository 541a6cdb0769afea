import { isIP } from 'node:net';
import { StrataError } from '@strata/errors';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT` (`[::1]:PORT` for IPv6); port 0 picks a free one. */
export function parseListenAddress(address: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new StrataError('InvalidArgument', `invalid listen address ${JSON.stringify(address)}: expected HOST:PORT`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

/** The `HOST:PORT` form grpc-js binds to. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
