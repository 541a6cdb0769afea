import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BlobInfo, BlobIngester, BlobReader, IngestManager, StoreAdmin } from '@strata/cas';
import type { RegistryAuth, RequestAccess } from './auth.ts';
import type { CollectionGuard } from './collection-guard.ts';
import type { PullRecorder } from './pull-times.ts';
import type { QuotaEnforcer } from './quotas.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { RegistryMetadata } from './metadata.ts';

/**
 * The store roles the gateway uses to serve: reads, stats, writes and the
 * management of writes in progress. Serving never deletes from the store:
 * unlinking from repositories is what makes blobs garbage, and the registry
 * collection (registry-gc.ts) deletes them.
 */
export type GatewayStore = BlobReader &
  Pick<BlobInfo, 'stat' | 'findMissing'> &
  BlobIngester &
  Pick<IngestManager, 'status' | 'abortIngest'> &
  Partial<Pick<StoreAdmin, 'stats'>>;

export interface GatewaySettings {
  /** DELETE of manifests, tags and blobs; when false they answer 405 UNSUPPORTED. */
  deletesEnabled: boolean;
}

/** What every handler is given: the collaborators, built once per gateway. */
export interface GatewayDeps {
  store: GatewayStore;
  metadata: RegistryMetadata;
  settings: GatewaySettings;
  metrics: GatewayMetrics;
  log: Logger;
  /** Users, rules and tokens; undefined when everyone may do everything. */
  auth: RegistryAuth | undefined;
  /** Orders pushes against garbage collection's delete steps. */
  guard: CollectionGuard;
  /** Manifest pull times, for build-cache eviction. */
  pulls: PullRecorder;
  /** Refuses pushes past a quota; undefined without quotas. */
  quotas: QuotaEnforcer | undefined;
  /** Called after each manifest push (build-cache mode checks its budget). */
  onPush: () => void;
  /** Why the gateway cannot serve now (shutting down, store not answering), or undefined when it can. */
  readiness: () => Promise<string | undefined>;
}

/** One request as a handler sees it. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  deps: GatewayDeps;
  /** What the caller may do (checked for the route itself before the handler runs). */
  access: RequestAccess;
  /** Aborted when the client goes away, so store reads and writes stop. */
  signal: AbortSignal;
}

export type Handler = (context: RequestContext) => Promise<void>;
