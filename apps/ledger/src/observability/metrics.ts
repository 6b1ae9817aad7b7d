import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per application instance (not prom-client's global), so tests can start several apps in a process. */
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Commands handled, by command and outcome code',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
