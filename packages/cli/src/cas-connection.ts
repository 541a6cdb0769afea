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
  casTokenFile?: string;
}

/** Environment variable with the bearer token for `--cas`, when no --cas-token-file is given. */
export const CAS_TOKEN_ENV = 'STRATA_CAS_TOKEN';

/** Adds the TLS options of a `--cas HOST:PORT` connection. */
export function withCasTlsOptions(command: Command): Command {
  return command
    .option('--cas-ca <file>', 'speak TLS to --cas, trusting the PEM CA bundle in FILE')
    .option('--cas-cert <file>', 'PEM client certificate for a server that requires mTLS (with --cas-key)')
    .option('--cas-key <file>', 'PEM private key of --cas-cert')
    .option('--cas-server-name <name>', 'name the server certificate must carry, when not the host of --cas')
    .option('--cas-token-file <file>', `bearer token for a --cas server that requires one (first token in FILE; or set ${CAS_TOKEN_ENV})`);
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
  const token = await casToken(options);
  const auth = token === undefined ? {} : { token };
  const wantsTls = options.casCa !== undefined || options.casCert !== undefined || options.casServerName !== undefined;
  if (!wantsTls) return connectContentStore(options.cas, auth);
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string } = {};
  if (options.casCa !== undefined) tls.ca = await readPem(options.casCa);
  if (options.casCert !== undefined) tls.cert = await readPem(options.casCert);
  if (options.casKey !== undefined) tls.key = await readPem(options.casKey);
  if (options.casServerName !== undefined) tls.serverName = options.casServerName;
  return connectContentStore(options.cas, { tls, ...auth });
}

/** The token from --cas-token-file (its first token line), else from the environment. */
async function casToken(options: CasClientOptions): Promise<string | undefined> {
  if (options.casTokenFile === undefined) {
    const fromEnv = process.env[CAS_TOKEN_ENV]?.trim();
    return fromEnv ? fromEnv : undefined;
  }
  let text: string;
  try {
    text = await readFile(options.casTokenFile, 'utf8');
  } catch (error) {
    throw fileError(options.casTokenFile, error);
  }
  const { parseBearerTokens } = await import('@strata/cas');
  return parseBearerTokens(text)[0];
}

async function readPem(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fileError(path, error);
  }
}
