import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { appointmentIdFromPath } from '../http/path-ids.js';
import { CalcomSyncRetry } from './calcom-sync.retry.js';

@ApiTags('calcom sync')
@ApiBearerAuth()
@Controller('appointments')
export class CalcomSyncController {
  constructor(private readonly retries: CalcomSyncRetry) {}

  /** Admin: try the Cal.com sync of this appointment again now (after a failure, or to compare with Cal.com anew). */
  @Post(':id/sync')
  @HttpCode(202)
  retry(@Param('id') id: string, @Context() context: RequestContext) {
    return this.retries.request(appointmentIdFromPath(id), adminMetadata(context, 'sync retry requested'));
  }
}
