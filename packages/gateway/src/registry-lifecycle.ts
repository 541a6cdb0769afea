import { Lock } from '@rocicorp/lock';
import type { Logger } from 'pino';
import type { StoreAdmin } from '@strata/cas';
import { isAborted, StrataError } from '@strata/errors';
import { evictToBudget, type EvictionReport } from './cache-eviction.ts';
import type { CollectionGuard } from './collection-guard.ts';
import type { RegistryMetadata } from './metadata.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { PullRecorder } from './pull-times.ts';
import { collectRegistryGarbage, type CollectableStore, type RegistryGcOptions, type RegistryGcReport } from './registry-gc.ts';
import type { RetentionPolicy } from './retention.ts';

/** How a running registry collects garbage and keeps its build-cache budget. */
export interface LifecycleSettings {
  /** Collect every this many ms; never when undefined. */
  gcIntervalMs?: number;
  /** Scheduled collections only report. */
  gcDryRun?: boolean;
  gracePeriodMs?: number;
  uploadExpiryMs?: number;
  /** Read at each collection, so a reloaded policy applies to the next one. */
  retention?: () => RetentionPolicy | undefined;
  /** Build-cache mode: keep the store's stored bytes within this budget. */
  cacheBudgetBytes?: number;
  /** How often the budget is checked besides after pushes; 1 minute by default. */
  evictionIntervalMs?: number;
  /** Pushes come in bursts: the budget is checked this long after the last one; 5 s by default. */
  evictionDebounceMs?: number;
}

export interface LifecycleDeps {
  metadata: RegistryMetadata;
  store: CollectableStore & Partial<Pick<StoreAdmin, 'stats'>>;
  guard: CollectionGuard;
  pulls: PullRecorder;
  metrics: GatewayMetrics;
  log: Logger;
}

/**
 * Runs collections and evictions inside a serving registry: one at a time
 * (a lock orders them here, the guard's claim across every gateway over
 * shared metadata), on timers, and after pushes in build-cache mode. A
 * scheduled round that finds another gateway collecting is skipped, logged
 * and counted. Failures are logged, never thrown at the timers.
 */
export class RegistryLifecycle {
  readonly #deps: LifecycleDeps;
  readonly #settings: LifecycleSettings;
  readonly #lock = new Lock();
  readonly #timers: NodeJS.Timeout[] = [];
  #debounce: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: LifecycleDeps, settings: LifecycleSettings) {
    this.#deps = deps;
    this.#settings = settings;
    if (settings.cacheBudgetBytes !== undefined && !deps.store.stats) {
      throw new Error('build-cache mode needs a store that reports its stats');
    }
  }

  start(): void {
    const { gcIntervalMs, cacheBudgetBytes, evictionIntervalMs } = this.#settings;
    if (gcIntervalMs !== undefined) this.#every(gcIntervalMs, () => this.#skippable('collection', () => this.collect({ dryRun: this.#settings.gcDryRun ?? false })));
    if (cacheBudgetBytes !== undefined) this.#every(evictionIntervalMs ?? 60_000, () => this.#skippable('eviction', () => this.evict()));
  }

  /** A push completed: in build-cache mode the budget is checked once pushes pause. */
  notePush(): void {
    if (this.#settings.cacheBudgetBytes === undefined || this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#background(() => this.#skippable('eviction', () => this.evict())), this.#settings.evictionDebounceMs ?? 5_000);
    this.#debounce.unref();
  }

  /**
   * One collection now, after any running one of this registry; logged and
   * counted. Fails with Aborted while another gateway over the same
   * metadata collects.
   */
  collect(options: Pick<RegistryGcOptions, 'dryRun' | 'signal' | 'onProgress'> = {}): Promise<RegistryGcReport> {
    return this.#exclusive(async () => {
      const report = await collectRegistryGarbage(this.#deps, { ...this.#gcOptions(), ...options });
      this.#count(report);
      this.#deps.log.info({ gc: report }, 'garbage collected');
      return report;
    });
  }

  /** Evicts to the budget now, after any running collection; undefined without a budget. Fails with Aborted as collect() does. */
  evict(): Promise<EvictionReport | undefined> {
    const budgetBytes = this.#settings.cacheBudgetBytes;
    if (budgetBytes === undefined) return Promise.resolve(undefined);
    return this.#exclusive(async () => {
      const store = this.#deps.store as LifecycleDeps['store'] & Pick<StoreAdmin, 'stats'>;
      const report = await evictToBudget({ ...this.#deps, store }, { ...this.#gcOptions(), budgetBytes });
      for (const collection of report.collections) this.#count(collection);
      this.#deps.metrics.evictedImages.inc(report.imagesEvicted);
      if (report.rounds > 0) {
        const { collections, ...summary } = report;
        const blobsDeleted = collections.reduce((sum, gc) => sum + gc.blobsDeleted, 0);
        const bytesReclaimed = collections.reduce((sum, gc) => sum + gc.bytesReclaimed, 0);
        this.#deps.log.info({ eviction: { ...summary, blobsDeleted, bytesReclaimed } }, 'build cache evicted');
      }
      return report;
    });
  }

  /** Stops the timers and waits for a collection in progress. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    for (const timer of this.#timers) clearInterval(timer);
    await this.#lock.withLock(() => {});
  }

  #gcOptions(): RegistryGcOptions {
    const options: RegistryGcOptions = {};
    if (this.#settings.gracePeriodMs !== undefined) options.gracePeriodMs = this.#settings.gracePeriodMs;
    if (this.#settings.uploadExpiryMs !== undefined) options.uploadExpiryMs = this.#settings.uploadExpiryMs;
    const retention = this.#settings.retention?.();
    if (retention) options.retention = retention;
    return options;
  }

  #count(report: RegistryGcReport): void {
    const { metrics } = this.#deps;
    metrics.gcRuns.inc({ dry_run: String(report.dryRun) });
    metrics.gcDuration.observe(report.durationMs / 1000);
    if (!report.dryRun) {
      metrics.gcBlobsDeleted.inc(report.blobsDeleted);
      metrics.gcBytesReclaimed.inc(report.bytesReclaimed);
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#lock.withLock(async () => {
      const release = await this.#deps.guard.claim();
      if (!release) throw new StrataError('Aborted', 'another collection over the same metadata is running');
      try {
        return await work();
      } finally {
        await release();
      }
    });
  }

  /** A scheduled round: skipped, not failed, when another gateway is collecting. */
  async #skippable(kind: 'collection' | 'eviction', work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!isAborted(error)) throw error;
      this.#deps.metrics.gcSkipped.inc({ kind });
      this.#deps.log.info({ kind }, `scheduled ${kind} skipped: another gateway is collecting`);
    }
  }

  #every(ms: number, work: () => Promise<unknown>): void {
    let running = false;
    // A round still running when the next is due lets it pass, rather than queueing rounds behind it.
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.#background(() => work().finally(() => (running = false)));
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #background(work: () => Promise<unknown>): void {
    if (this.#closed) return;
    work().catch((error: unknown) => this.#deps.log.error({ err: error }, 'garbage collection failed'));
  }
}
