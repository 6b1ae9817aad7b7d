import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { SyncHealthQueries } from '#projections';
import { ReadAccess } from '../auth/auth.guard.js';
import { DRIFT_CLOCK } from './drift.tokens.js';

@ApiTags('sync')
@ApiBearerAuth()
@Controller('sync')
export class SyncStatusController {
  constructor(
    private readonly health: SyncHealthQueries,
    @Inject(DRIFT_CLOCK) private readonly now: () => Date,
  ) {}

  /** The sync at a glance: counts by status, oldest pending, failures in the last hour, last webhook, last drift check. */
  @Get('status')
  @ReadAccess()
  status() {
    return this.health.health(this.now());
  }
}
