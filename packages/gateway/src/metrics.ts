import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreAdmin, StoreStats } from '@strata/cas';

/**
 * The gateway's Prometheus metrics, in a registry of its own so that
 * several gateways in one process (tests) do not collide.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly bytesIn: Counter<'route'>;
  readonly bytesOut: Counter<'route'>;
  readonly uploadDuration: Histogram;
  readonly gcRuns: Counter<'dry_run'>;
  readonly gcSkipped: Counter<'kind'>;
  readonly gcBytesReclaimed: Counter;
  readonly gcBlobsDeleted: Counter;
  readonly gcDuration: Histogram;
  readonly evictedImages: Counter;

  constructor(stats?: StoreAdmin['stats']) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'strata_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'strata_http_request_duration_seconds',
      help: 'Time from request to the end of the answer',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers,
    });
    this.bytesIn = new Counter({
      name: 'strata_http_received_bytes_total',
      help: 'Bytes received on connections, by route',
      labelNames: ['route'],
      registers,
    });
    this.bytesOut = new Counter({
      name: 'strata_http_sent_bytes_total',
      help: 'Bytes sent on connections, by route',
      labelNames: ['route'],
      registers,
    });
    this.uploadDuration = new Histogram({
      name: 'strata_upload_duration_seconds',
      help: 'Time from the start of a blob upload to its commit',
      buckets: [0.01, 0.1, 1, 5, 30, 120, 600],
      registers,
    });
    this.gcRuns = new Counter({
      name: 'strata_gc_runs_total',
      help: 'Registry garbage collections run to the end',
      labelNames: ['dry_run'],
      registers,
    });
    this.gcSkipped = new Counter({
      name: 'strata_gc_skipped_total',
      help: 'Scheduled collections and evictions skipped because another gateway over the same metadata was collecting',
      labelNames: ['kind'],
      registers,
    });
    this.gcBytesReclaimed = new Counter({
      name: 'strata_gc_bytes_reclaimed_total',
      help: 'Disk bytes given back by garbage collection',
      registers,
    });
    this.gcBlobsDeleted = new Counter({
      name: 'strata_gc_blobs_deleted_total',
      help: 'Blobs deleted from the store by garbage collection',
      registers,
    });
    this.gcDuration = new Histogram({
      name: 'strata_gc_duration_seconds',
      help: 'Time a registry garbage collection took',
      buckets: [0.1, 1, 10, 60, 300, 1800, 7200],
      registers,
    });
    this.evictedImages = new Counter({
      name: 'strata_cache_evicted_images_total',
      help: 'Images evicted to keep the store within its build-cache budget',
      registers,
    });
    if (stats) {
      const figures = onePerScrape(stats);
      const storeGauge = (name: string, help: string, value: (figures: StoreStats) => number): void =>
        void new Gauge({
          name,
          help,
          registers,
          async collect() {
            // A store that cannot answer now keeps its last figure; the scrape itself must not fail.
            const found = await figures();
            if (found) this.set(value(found));
          },
        });
      storeGauge('strata_store_dedup_ratio', "The store's logical bytes over its stored bytes", (found) => found.dedupRatio);
      storeGauge('strata_store_stored_bytes', 'Bytes the store keeps on disk: packs plus index', (found) => found.storedBytes);
      storeGauge('strata_store_expanded_layers', 'Compressed layers the store holds expanded (deduplicated by their content)', (found) => found.expandedBlobs ?? 0);
    }
  }
}

/** The store's figures, asked once for all the gauges of one scrape (a second ask within a second shares the first). */
function onePerScrape(stats: StoreAdmin['stats']): () => Promise<StoreStats | undefined> {
  let asked: { at: number; figures: Promise<StoreStats | undefined> } | undefined;
  return () => {
    if (!asked || Date.now() - asked.at > 1000) asked = { at: Date.now(), figures: stats().catch(() => undefined) };
    return asked.figures;
  };
}
