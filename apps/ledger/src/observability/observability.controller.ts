import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { EventStore } from '#event-store';
import { Public } from '../auth/auth.guard.js';
import type { WorkersRole } from '../background-workers.leader.js';
import { BACKGROUND_WORKERS, EVENT_STORE, PROJECTOR } from '../ledger.tokens.js';
import { LedgerMetrics } from './metrics.js';
import type { Projector } from '#projections';
import { SubscriptionHealth } from './subscription-health.js';

@ApiTags('operations')
@Controller()
export class ObservabilityController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(BACKGROUND_WORKERS) private readonly backgroundWorkers: { readonly role: WorkersRole } | null,
    private readonly metrics: LedgerMetrics,
    private readonly subscriptionHealth: SubscriptionHealth,
  ) {}

  /**
   * Healthy when the event store answers, the projector is running and no subscription is stalled or has parked
   * events; 503 otherwise, with what is wrong. `workers`: whether this instance runs the background workers
   * (`leader`) or waits to take them over (`standby`).
   */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) response: Response) {
    const checks = {
      eventStore: await this.store
        .readAll({ limit: 1 })
        .then(() => 'up')
        .catch((error: Error) => `down: ${error.message}`),
      projector: this.projector.isRunning() ? 'up' : 'down',
    };
    const subscriptions = await this.subscriptionHealth.troubles().catch((error: Error) => `unknown: ${error.message}`);
    const healthy = Object.values(checks).every((value) => value === 'up') && Array.isArray(subscriptions) && subscriptions.length === 0;
    response.status(healthy ? 200 : 503);
    return { status: healthy ? 'ok' : 'degraded', checks, subscriptions, projectorPosition: this.projector.position, workers: this.backgroundWorkers?.role ?? null };
  }

  @Get('metrics')
  @Public()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
