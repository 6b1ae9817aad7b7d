import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { NotFoundError, type DriftCheckMode, type DriftKeep } from '#domain';
import { ReadAccess } from '../auth/auth.guard.js';
import { printable } from '../http/path-ids.js';
import { pageSizeFromQuery } from '../http/query-params.js';
import { Context, type RequestContext } from '../http/request-context.js';
import { DriftService } from './drift.service.js';

export class CheckDriftDto {
  @ApiPropertyOptional({ enum: ['full', 'incremental'], default: 'full', description: 'incremental: only what changed since the last check' })
  @IsOptional()
  @IsIn(['full', 'incremental'])
  mode?: DriftCheckMode;
}

export class HealDriftItemDto {
  @ApiProperty({ enum: ['ledger', 'calcom'], description: 'Whose state the appointment and its booking keep' })
  @IsIn(['ledger', 'calcom'])
  keep: DriftKeep;
}

const ITEM_ID = /^[a-z_]{1,30}:[\w-]{1,100}$/;

@ApiTags('drift')
@ApiBearerAuth()
@Controller('drift')
export class DriftController {
  constructor(private readonly drift: DriftService) {}

  /** The latest drift report: `{generatedAt, window, checked, items}`. */
  @Get()
  @ReadAccess()
  report() {
    return this.drift.report();
  }

  /** Checks newest first, with the heals and blocked heals. */
  @Get('history')
  @ReadAccess()
  @ApiQuery({ name: 'limit', required: false })
  history(@Query('limit') limit?: string) {
    return this.drift.history(pageSizeFromQuery(limit, 500, 50));
  }

  /** Runs a check now (one at a time: a request during a check waits for it), then heals by `DRIFT_HEAL`. */
  @Post('check')
  @HttpCode(200)
  check(@Body() body: CheckDriftDto) {
    return this.drift.check(body?.mode ?? 'full', 'api');
  }

  @Post('items/:id/heal')
  @HttpCode(200)
  heal(@Param('id') id: string, @Body() body: HealDriftItemDto, @Context() context: RequestContext) {
    if (!ITEM_ID.test(id)) throw new NotFoundError('drift item', printable(id));
    return this.drift.heal(id, body.keep, { actor: context.actor, actorId: context.actorId, correlationId: context.correlationId });
  }
}
