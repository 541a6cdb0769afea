import { join } from 'node:path';
import { openStore } from '@strata/cas';
import type { GatewayStore } from './context.ts';
import type { Logger } from 'pino';
import { loadAuthFile } from './auth-file.ts';
import { RegistryAuth, type RegistryAuthOptions } from './auth.ts';
import { Gateway } from './gateway.ts';
import { LmdbMetadata } from './lmdb-metadata.ts';
import { loadOrCreateTokenKey } from './tokens.ts';

export interface RegistryOptions {
  /** Data directory: the engine's store in DIR/cas, the gateway's metadata in DIR/gateway. */
  dataDir: string;
  host?: string;
  port?: number;
  deletesEnabled?: boolean;
  logger?: Logger;
  /**
   * The content store to serve from, e.g. a client of a remote `strata cas`;
   * by default the embedded engine in DIR/cas. The registry closes it.
   */
  store?: RegistryStore;
  /** Turns auth on with the users and rules of an auth file; the token key lives in DIR/gateway/token-key. */
  auth?: RegistryAuthSettings;
}

/** Auth settings of a registry; the users and rules come from `file`. */
export interface RegistryAuthSettings extends Omit<RegistryAuthOptions, 'config' | 'tokenKey' | 'file'> {
  file: string;
}

/** A store the registry can serve from and close. */
export type RegistryStore = GatewayStore & { close(): Promise<void> };

/** A registry running in this process: gateway and embedded engine over one data directory. */
export interface RunningRegistry {
  gateway: Gateway;
  store: RegistryStore;
  /** The registry's auth, when it runs with it (reload() after editing the auth file). */
  auth: RegistryAuth | undefined;
  metadata: LmdbMetadata;
  url: string;
  /** Graceful shutdown: the gateway first (in-flight requests finish), then metadata and store. */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** Opens the store and the metadata under `dataDir` and starts a gateway over them. */
export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  // A registry's clients pull what was just pushed: ingests fill the hot cache too.
  const store = options.store ?? (await openStore(join(options.dataDir, 'cas'), { cacheIngests: true }));
  let metadata: LmdbMetadata | undefined;
  try {
    const metadataDir = join(options.dataDir, 'gateway');
    metadata = await LmdbMetadata.open(metadataDir);
    const auth = options.auth ? await openAuth(options.auth, join(metadataDir, 'token-key')) : undefined;
    const gatewayOptions: ConstructorParameters<typeof Gateway>[0] = { store, metadata };
    if (auth) gatewayOptions.auth = auth;
    if (options.deletesEnabled !== undefined) gatewayOptions.deletesEnabled = options.deletesEnabled;
    if (options.logger) gatewayOptions.logger = options.logger;
    const gateway = new Gateway(gatewayOptions);
    await gateway.listen(options.port ?? 5000, options.host ?? '127.0.0.1');
    const opened = metadata;
    let closing: Promise<void> | undefined;
    return {
      gateway,
      store,
      auth,
      metadata,
      url: gateway.url,
      close(closeOptions = {}) {
        closing ??= (async () => {
          await gateway.close(closeOptions);
          await opened.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await metadata?.close();
    await store.close();
    throw error;
  }
}

async function openAuth(settings: RegistryAuthSettings, keyFile: string): Promise<RegistryAuth> {
  const { file, ...rest } = settings;
  const config = await loadAuthFile(file);
  return new RegistryAuth({ ...rest, file, config, tokenKey: await loadOrCreateTokenKey(keyFile) });
}
