import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RemoteContentStore } from '@strata/cas-client';
import { fileError } from './file-error.ts';

/** How a command reaches a `strata cas` server. */
export interface CasClientOptions {
  cas?: string;
  casCa?: string;
  casCert?: string;
  casKey?: string;
  casServerName?: string;
}

/** Adds the TLS options of a `--cas HOST:PORT` connection. */
export function withCasTlsOptions(command: Command): Command {
  return command
    .option('--cas-ca <file>', 'speak TLS to --cas, trusting the PEM CA bundle in FILE')
    .option('--cas-cert <file>', 'PEM client certificate for a server that requires mTLS (with --cas-key)')
    .option('--cas-key <file>', 'PEM private key of --cas-cert')
    .option('--cas-server-name <name>', 'name the server certificate must carry, when not the host of --cas');
}

/**
 * Connects to the `--cas` server: TLS when a CA, a client certificate or a
 * server name is given, plaintext (loopback) otherwise.
 */
export async function connectCas(command: Command, options: CasClientOptions & { cas: string }): Promise<RemoteContentStore> {
  if ((options.casCert === undefined) !== (options.casKey === undefined)) {
    command.error('--cas-cert and --cas-key go together', { exitCode: 2, code: 'strata.usage' });
  }
  const { connectContentStore } = await import('@strata/cas-client');
  const wantsTls = options.casCa !== undefined || options.casCert !== undefined || options.casServerName !== undefined;
  if (!wantsTls) return connectContentStore(options.cas);
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string } = {};
  if (options.casCa !== undefined) tls.ca = await readPem(options.casCa);
  if (options.casCert !== undefined) tls.cert = await readPem(options.casCert);
  if (options.casKey !== undefined) tls.key = await readPem(options.casKey);
  if (options.casServerName !== undefined) tls.serverName = options.casServerName;
  return connectContentStore(options.cas, { tls });
}

async function readPem(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, error);
  }
}
