import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '../../../../libs/domain/src/index.js';
import { CalcomInboundQueries } from '../../../../projections/src/calcom-inbound.queries.js';
import { ReadAccess } from '../auth/auth.guard.js';

const KINDS = ['sync_failed', 'conflict', 'unmapped_webhook', 'drift_heal_blocked'];
const OUTCOMES = ['applied', 'echo', 'conflict', 'orphan', 'unmapped', 'ignored'];

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
    if (kind !== undefined && !KINDS.includes(kind)) throw new ValidationFailedError(`kind must be one of ${KINDS.join(', ')}`, { field: 'kind' });
    return { items: await this.queries.notifications({ kind, limit: limitOf(limit) }) };
  }

  /** Every webhook fact with its outcome; `?outcome=unmapped` lists the ones nobody could place. */
  @Get('webhooks/calcom/facts')
  @ReadAccess()
  @ApiQuery({ name: 'outcome', required: false, enum: OUTCOMES })
  @ApiQuery({ name: 'appointmentId', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async facts(@Query('outcome') outcome?: string, @Query('appointmentId') appointmentId?: string, @Query('limit') limit?: string) {
    if (outcome !== undefined && !OUTCOMES.includes(outcome)) throw new ValidationFailedError(`outcome must be one of ${OUTCOMES.join(', ')}`, { field: 'outcome' });
    return { items: await this.queries.facts({ outcome, appointmentId, limit: limitOf(limit) }) };
  }
}

function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailedError('limit must be an integer from 1 to 500', { field: 'limit' });
  return limit;
}
