import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { isEntityId, NotFoundError } from '#domain';
import { ReadAccess } from '../auth/auth.guard.js';
import { printable } from '../http/path-ids.js';
import { oneOfFromQuery } from '../http/query-params.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { idempotencyKeyFromHeader } from '../idempotency/idempotent-requests.js';
import { CancelStaffAbsenceDto, RecordStaffAbsenceDto } from './staff-absence.dto.js';
import { StaffAbsenceService } from './staff-absence.service.js';

@ApiTags('staff absences')
@ApiBearerAuth()
@Controller('staff/:staffId/absences')
export class StaffAbsencesController {
  constructor(private readonly absences: StaffAbsenceService) {}

  @Post()
  @ApiQuery({ name: 'dryRun', required: false, description: '`true`: answer the plan (200) and change nothing' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Names the absence when the body has no absenceId: a repeat answers the same without acting again' })
  @ApiCreatedResponse({ description: 'The absence and each step of its plan with its outcome ({status, version?, error?})' })
  async record(
    @Param('staffId') staffId: string,
    @Body() body: RecordStaffAbsenceDto,
    @Query('dryRun') dryRun: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @Context() context: RequestContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const id = staffIdFromPath(staffId);
    if (oneOfFromQuery('dryRun', dryRun, ['true', 'false'] as const) === 'true') {
      response.status(200);
      return this.absences.dryRun(id, body);
    }
    const { answer, replayed } = await this.absences.record(id, body, idempotencyKeyFromHeader(key), adminMetadata(context, body.reason));
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    return answer;
  }

  @Get()
  @ReadAccess()
  list(@Param('staffId') staffId: string) {
    return this.absences.list(staffIdFromPath(staffId));
  }

  @Post(':absenceId/cancel')
  @HttpCode(200)
  cancel(@Param('staffId') staffId: string, @Param('absenceId') absenceId: string, @Body() body: CancelStaffAbsenceDto, @Context() context: RequestContext) {
    return this.absences.cancel(staffIdFromPath(staffId), idFromPath('absence', absenceId), body.reason ?? null, adminMetadata(context, body.reason ?? null));
  }
}

const staffIdFromPath = (value: string): string => idFromPath('staff', value);

/** An impossible id in a path names nothing: 404, as for appointments. */
function idFromPath(entity: string, value: string): string {
  if (!isEntityId(value)) throw new NotFoundError(entity, printable(value));
  return value;
}
