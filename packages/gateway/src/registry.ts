import { join } from 'node:path';
import { openStore, type Engine } from '@strata/cas';
import type { Logger } from 'pino';
import { Gateway } from './gateway.ts';
import { LmdbMetadata } from './lmdb-metadata.ts';

export interface RegistryOptions {
  /** Data directory: the engine's store in DIR/cas, the gateway's metadata in DIR/gateway. */
  dataDir: string;
  host?: string;
  port?: number;
  deletesEnabled?: boolean;
  logger?: Logger;
}

/** A registry running in this process: gateway and embedded engine over one data directory. */
export interface RunningRegistry {
  gateway: Gateway;
  store: Engine;
  metadata: LmdbMetadata;
  url: string;
  /** Graceful shutdown: the gateway first (in-flight requests finish), then metadata and store. */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** Opens the store and the metadata under `dataDir` and starts a gateway over them. */
export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const store = await openStore(join(options.dataDir, 'cas'));
  let metadata: LmdbMetadata | undefined;
  try {
    metadata = await LmdbMetadata.open(join(options.dataDir, 'gateway'));
    const gatewayOptions: ConstructorParameters<typeof Gateway>[0] = { store, metadata };
    if (options.deletesEnabled !== undefined) gatewayOptions.deletesEnabled = options.deletesEnabled;
    if (options.logger) gatewayOptions.logger = options.logger;
    const gateway = new Gateway(gatewayOptions);
    await gateway.listen(options.port ?? 5000, options.host ?? '127.0.0.1');
    const opened = metadata;
    let closing: Promise<void> | undefined;
    return {
      gateway,
      store,
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
