import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreAdmin } from '@strata/cas';

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
    if (stats) {
      new Gauge({
        name: 'strata_store_dedup_ratio',
        help: "The store's logical bytes over its stored bytes",
        registers,
        async collect() {
          // A store that cannot answer now keeps its last figure; the scrape itself must not fail.
          const figures = await stats().catch(() => undefined);
          if (figures) this.set(figures.dedupRatio);
        },
      });
    }
  }
}
