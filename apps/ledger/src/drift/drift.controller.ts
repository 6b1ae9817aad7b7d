import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { NotFoundError, ValidationFailedError, type DriftCheckMode, type DriftKeep } from '../../../../libs/domain/src/index.js';
import { ReadAccess } from '../auth/auth.guard.js';
import { Context, type RequestContext } from '../http/request-context.js';
import { DriftService } from './drift.service.js';

export class CheckDriftDto {
  @ApiPropertyOptional({ enum: ['full', 'incremental'], default: 'full', description: 'incremental: only what changed since the last check' })
  @IsOptional()
  @IsIn(['full', 'incremental'])
  mode?: DriftCheckMode;
}

export class HealDriftItemDto {
  @ApiProperty({ enum: ['ledger', 'calcom'], description: "Whose state the appointment and its booking keep" })
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
    return this.drift.history(limitOf(limit));
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
    if (!ITEM_ID.test(id)) throw new NotFoundError('drift item', id.slice(0, 80));
    return this.drift.heal(id, body.keep, { actor: context.actor, correlationId: context.correlationId });
  }
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return 50;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailedError('limit must be an integer from 1 to 500', { field: 'limit' });
  return limit;
}
