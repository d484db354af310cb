import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BitrixObserver } from './bitrix/observer.js';
import type { JobStore } from './jobs/store.js';

/**
 * The service's Prometheus metrics (prom-client), one registry per process (per deps, so tests do not share
 * counters). Served at GET /metrics when METRICS_TOKEN is set.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly robotCalls = new Counter({
    name: 'qrbill_robot_calls_total',
    help: 'Robot deliveries by robot code and outcome (accepted, duplicate, refused)',
    labelNames: ['robot', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly robotAnswers = new Counter({
    name: 'qrbill_robot_answers_total',
    help: 'Robot answers sent with bizproc.event.send, by robot code and status (ok, error)',
    labelNames: ['robot', 'status'] as const,
    registers: [this.registry],
  });

  readonly bitrixRequests = new Counter({
    name: 'qrbill_bitrix_requests_total',
    help: 'HTTP requests to Bitrix24 portals by portal (member_id) and outcome (ok, an error code, a transport failure)',
    labelNames: ['member_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly bitrixLimitRejections = new Counter({
    name: 'qrbill_bitrix_limit_rejections_total',
    help: 'Requests a portal refused for its rate limit (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT)',
    labelNames: ['member_id'] as const,
    registers: [this.registry],
  });

  readonly tokenRefreshes = new Counter({
    name: 'qrbill_token_refreshes_total',
    help: 'OAuth token renewals by portal and outcome (ok, failed)',
    labelNames: ['member_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'qrbill_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(jobs: JobStore) {
    // Read from the database on each scrape: every instance reports the shared queue the same way.
    new Gauge({
      name: 'qrbill_jobs',
      help: 'Jobs in the shared queue by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await jobs.counts();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'qrbill_jobs_oldest_pending_age_seconds',
      help: 'How long the oldest due job has been waiting to run (0 when none)',
      registers: [this.registry],
      async collect() {
        this.set((await jobs.oldestPendingAgeMs()) / 1000);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'qrbill_process_' });
  }

  /** The REST client's reports, counted here. */
  bitrixObserver(): BitrixObserver {
    return {
      request: (memberId, _method, outcome) => this.bitrixRequests.inc({ member_id: memberId, outcome }),
      limitRejection: (memberId) => this.bitrixLimitRejections.inc({ member_id: memberId }),
      tokenRefresh: (memberId, outcome) => this.tokenRefreshes.inc({ member_id: memberId, outcome }),
    };
  }
}
