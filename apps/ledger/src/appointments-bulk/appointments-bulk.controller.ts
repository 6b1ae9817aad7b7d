import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { idempotencyKeyFromHeader } from '../idempotency/idempotent-requests.js';
import { BULK_COMMANDS } from './bulk-commands.js';
import { BulkCommandRunner } from './bulk-command.runner.js';
import { MAX_BULK_COMMANDS } from './bulk-request.js';

@ApiTags('appointments')
@ApiBearerAuth()
@Controller('appointments')
export class AppointmentsBulkController {
  constructor(private readonly bulk: BulkCommandRunner) {}

  @Post('bulk')
  @HttpCode(200)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat with the same key and body answers the same results without acting again; with another body: 422 IDEMPOTENCY_KEY_REUSED',
  })
  @ApiBody({
    description: `1 to ${MAX_BULK_COMMANDS} commands, each {appointmentId, command: ${[...BULK_COMMANDS.keys()].join(' | ')}, body (as for POST /appointments/{id}/<command>), ifMatch?: "<version>"}`,
    schema: { type: 'object', required: ['commands'], properties: { commands: { type: 'array', maxItems: MAX_BULK_COMMANDS, items: { type: 'object' } } } },
  })
  @ApiOkResponse({ description: '{results: [{appointmentId, status, version?, error?}]}, one per command, in order' })
  async run(@Body() body: unknown, @Headers('idempotency-key') key: string | undefined, @Context() context: RequestContext, @Res({ passthrough: true }) response: Response) {
    const { results, replayed } = await this.bulk.run(body, idempotencyKeyFromHeader(key), (reason, index) => ({
      ...adminMetadata(context, reason),
      bulk: { index, idempotencyKey: key ?? null },
    }));
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    return { results };
  }
}
