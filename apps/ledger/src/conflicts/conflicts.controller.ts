import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { FORBIDDEN_KEYS, NotFoundError } from '#domain';
import { CalcomInboundQueries } from '#projections';
import { ReadAccess } from '../auth/auth.guard.js';
import { printable } from '../http/path-ids.js';
import { oneOfFromQuery } from '../http/query-params.js';
import { Context, type RequestContext } from '../http/request-context.js';
import { ConflictResolutionService } from './conflict-resolution.service.js';

export class ResolveConflictDto {
  @ApiProperty({ enum: ['ledger', 'calcom'], description: "Which side's state the appointment keeps" })
  @IsIn(['ledger', 'calcom'])
  keep: 'ledger' | 'calcom';
}

const ID = /^[\w.:-]{1,100}$/;
const isConflictId = (id: string): boolean => ID.test(id) && !FORBIDDEN_KEYS.has(id);

@ApiTags('sync')
@ApiBearerAuth()
@Controller('conflicts')
export class ConflictsController {
  constructor(
    private readonly queries: CalcomInboundQueries,
    private readonly resolutions: ConflictResolutionService,
  ) {}

  @Get()
  @ReadAccess()
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'resolved'] })
  async list(@Query('status') status?: string) {
    return { items: await this.queries.conflicts({ status: oneOfFromQuery('status', status, ['open', 'resolved']) }) };
  }

  @Get(':id')
  @ReadAccess()
  async get(@Param('id') id: string) {
    const conflict = isConflictId(id) ? await this.queries.conflict(id) : null;
    if (!conflict) throw new NotFoundError('conflict', printable(id));
    return conflict;
  }

  @Post(':id/resolve')
  @HttpCode(200)
  resolve(@Param('id') id: string, @Body() body: ResolveConflictDto, @Context() context: RequestContext) {
    if (!isConflictId(id)) throw new NotFoundError('conflict', printable(id));
    return this.resolutions.resolve(id, body.keep, context);
  }
}
