import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CalcomWebhookEvent, type CalcomWebhookRetryRequested, FactNotFailedError, NotFoundError } from '#domain';
import { type EventStore, WrongExpectedRevisionError } from '#event-store';
import { CalcomInboundQueries } from '#projections';
import { printable } from '../http/path-ids.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';

/** Fact ids are the CalcomWebhookReceived event ids. */
const FACT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const WEBHOOK_FACT_STORE = Symbol('webhook fact store');

export interface RetryRequested {
  factId: string;
  factStream: string;
  status: 'retry_requested';
}

/**
 * An admin re-applies a failed webhook fact after fixing its cause. The request is an event in the fact's stream:
 * the translator (wherever it runs) applies the fact and then the facts waiting behind it, in order. Decided on the
 * fact's own stream, never on the read model: only a fact whose latest outcome is `failed` qualifies, once.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks/calcom/facts')
export class WebhookFactRetryController {
  constructor(
    private readonly queries: CalcomInboundQueries,
    @Inject(WEBHOOK_FACT_STORE) private readonly store: EventStore,
  ) {}

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Admin: apply a failed webhook fact again, then the facts of its booking waiting behind it' })
  async retry(@Param('id') factId: string, @Context() context: RequestContext): Promise<RetryRequested> {
    const factStream = FACT_ID.test(factId) ? await this.queries.factStreamOf(factId.toLowerCase()) : null;
    if (!factStream) throw new NotFoundError('webhook fact', printable(factId));
    const history = await this.store.readStream<CalcomWebhookEvent>(factStream);
    const last = history.at(-1);
    const outcome = last?.type === 'CalcomWebhookApplied' ? last.data.outcome : last?.type === 'CalcomWebhookRetryRequested' ? 'retry already requested' : null;
    if (outcome !== 'failed') throw new FactNotFailedError(factId, outcome);
    const request: CalcomWebhookRetryRequested = { type: 'CalcomWebhookRetryRequested', data: { factId: history[0].id, requestedBy: context.actor } };
    try {
      await this.store.appendToStream(factStream, [{ id: randomUUID(), ...request, metadata: adminMetadata(context) }], { expectedRevision: history.length - 1 });
    } catch (error) {
      // Another request (or the translator) wrote first: this one asked about a state that is gone.
      if (error instanceof WrongExpectedRevisionError) throw new FactNotFailedError(factId, 'changed meanwhile');
      throw error;
    }
    return { factId: history[0].id, factStream, status: 'retry_requested' };
  }
}
