import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_OUTCOMES } from '#domain';
import { CalcomInboundQueries } from '#projections';
import { ReadAccess } from '../auth/auth.guard.js';
import { entityIdFromQuery, oneOfFromQuery, pageSizeFromQuery } from '../http/query-params.js';

const KINDS = ['sync_failed', 'conflict', 'unmapped_webhook', 'webhook_failed', 'drift_heal_blocked', 'subscription_parked'];
const OUTCOMES = [...WEBHOOK_OUTCOMES];
const MAX_LIMIT = 500;

@ApiTags('sync')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(private readonly queries: CalcomInboundQueries) {}

  @Get('notifications')
  @ReadAccess()
  @ApiQuery({ name: 'kind', required: false, enum: KINDS })
  @ApiQuery({ name: 'limit', required: false })
  async notifications(@Query('kind') kind?: string, @Query('limit') limit?: string) {
    return { items: await this.queries.notifications({ kind: oneOfFromQuery('kind', kind, KINDS), limit: pageSizeFromQuery(limit, MAX_LIMIT, undefined) }) };
  }

  /** Every webhook fact with its outcome; `?outcome=unmapped` lists the ones nobody could place. */
  @Get('webhooks/calcom/facts')
  @ReadAccess()
  @ApiQuery({ name: 'outcome', required: false, enum: OUTCOMES })
  @ApiQuery({ name: 'appointmentId', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async facts(@Query('outcome') outcome?: string, @Query('appointmentId') appointmentId?: string, @Query('limit') limit?: string) {
    return {
      items: await this.queries.facts({
        outcome: oneOfFromQuery('outcome', outcome, OUTCOMES),
        appointmentId: entityIdFromQuery('appointmentId', appointmentId),
        limit: pageSizeFromQuery(limit, MAX_LIMIT, undefined),
      }),
    };
  }
}
