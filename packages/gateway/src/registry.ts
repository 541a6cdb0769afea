import { join } from 'node:path';
import { openStore } from '@strata/cas';
import type { GatewayStore } from './context.ts';
import type { Logger } from 'pino';
import { loadAuthFile } from './auth-file.ts';
import { RegistryAuth, type RegistryAuthOptions } from './auth.ts';
import { Gateway } from './gateway.ts';
import type { RegistryMetadata } from './metadata.ts';
import { lockMetadataDir } from './metadata-lock.ts';
import { openMetadata, type MetadataSetting } from './metadata-selection.ts';
import type { QuotaPolicy } from './quotas.ts';
import { LocalCollectionGuard, type CollectionGuard } from './collection-guard.ts';
import { DEFAULT_GRACE_PERIOD_MS, type CollectableStore } from './registry-gc.ts';
import { RegistryLifecycle, type LifecycleSettings } from './registry-lifecycle.ts';
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
  /** The embedded engine expands gzip and zstd layers after they are pushed (see @strata/cas FORMAT.md). */
  expandLayers?: boolean;
  /** The embedded engine's bounds on the layers it expands (its defaults otherwise). */
  expansionBounds?: { expandMaxBytes?: number; expandMaxPlainBytes?: number };
  /** Turns auth on with the users and rules of an auth file; the token key lives in DIR/gateway/token-key. */
  auth?: RegistryAuthSettings;
  /** Scheduled garbage collection, retention and build-cache eviction. */
  lifecycle?: LifecycleSettings;
  /** Quotas per repository prefix, read at each push. */
  quotas?: () => QuotaPolicy | undefined;
  /**
   * Metadata in PostgreSQL (`postgresql://…` or options), shared by any
   * number of registries; by default LMDB in DIR/gateway. The token key
   * stays in DIR/gateway either way.
   */
  metadata?: MetadataSetting;
}

/** Auth settings of a registry; the users and rules come from `file`. */
export interface RegistryAuthSettings extends Omit<RegistryAuthOptions, 'config' | 'tokenKey' | 'file'> {
  file: string;
}

/** A store the registry can serve from, collect garbage in, and close. */
export type RegistryStore = GatewayStore & CollectableStore & { close(): Promise<void> };

/** A registry running in this process: gateway and embedded engine over one data directory. */
export interface RunningRegistry {
  gateway: Gateway;
  store: RegistryStore;
  /** The registry's auth, when it runs with it (reload() after editing the auth file). */
  auth: RegistryAuth | undefined;
  metadata: RegistryMetadata;
  /** Garbage collection and eviction of this registry (collect() runs one now). */
  lifecycle: RegistryLifecycle;
  url: string;
  /** Graceful shutdown: the gateway first (in-flight requests finish), then metadata and store. */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** Opens the store and the metadata under `dataDir` and starts a gateway over them. */
export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const metadataDir = join(options.dataDir, 'gateway');
  const unlock = await lockMetadataDir(metadataDir);
  let store: RegistryStore | undefined;
  let metadata: RegistryMetadata | undefined;
  let guard: CollectionGuard | undefined;
  try {
    // A registry's clients pull what was just pushed: ingests fill the hot cache too.
    store = options.store ?? (await openStore(join(options.dataDir, 'cas'), { cacheIngests: true, expandLayers: options.expandLayers === true, ...options.expansionBounds }));
    metadata = await openMetadata(options.metadata, metadataDir);
    const auth = options.auth ? await openAuth(options.auth, join(metadataDir, 'token-key')) : undefined;
    let lifecycle: RegistryLifecycle | undefined;
    // A digest pushes used within the grace period is as safe as a link made within it.
    const recentMs = options.lifecycle?.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
    // Shared metadata brings a guard that orders every gateway over it.
    guard = metadata.createCollectionGuard?.({ recentMs, ...(options.logger ? { log: options.logger } : {}) }) ?? new LocalCollectionGuard({ recentMs });
    const gatewayOptions: ConstructorParameters<typeof Gateway>[0] = { store, metadata, guard, onPush: () => lifecycle?.notePush() };
    if (auth) gatewayOptions.auth = auth;
    if (options.deletesEnabled !== undefined) gatewayOptions.deletesEnabled = options.deletesEnabled;
    if (options.logger) gatewayOptions.logger = options.logger;
    if (options.quotas) gatewayOptions.quotas = options.quotas;
    const gateway = new Gateway(gatewayOptions);
    lifecycle = new RegistryLifecycle(
      { metadata, store, guard: gateway.guard, pulls: gateway.pulls, metrics: gateway.metrics, log: gateway.log },
      options.lifecycle ?? {},
    );
    await gateway.listen(options.port ?? 5000, options.host ?? '127.0.0.1');
    lifecycle.start();
    const opened = { metadata, store, lifecycle, guard };
    let closing: Promise<void> | undefined;
    return {
      gateway,
      store,
      auth,
      metadata,
      lifecycle,
      url: gateway.url,
      close(closeOptions = {}) {
        closing ??= (async () => {
          await gateway.close(closeOptions);
          await opened.lifecycle.close();
          await opened.guard.close();
          await opened.metadata.close();
          await opened.store.close();
          await unlock();
        })();
        return closing;
      },
    };
  } catch (error) {
    await guard?.close();
    await metadata?.close();
    await store?.close();
    await unlock();
    throw error;
  }
}

async function openAuth(settings: RegistryAuthSettings, keyFile: string): Promise<RegistryAuth> {
  const { file, ...rest } = settings;
  const config = await loadAuthFile(file);
  return new RegistryAuth({ ...rest, file, config, tokenKey: await loadOrCreateTokenKey(keyFile) });
}
