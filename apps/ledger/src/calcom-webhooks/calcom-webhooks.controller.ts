import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MalformedWebhookError } from '#domain';
import { CALCOM_SIGNATURE_HEADER } from '#calcom';
import { Public } from '../auth/auth.guard.js';
import { CalcomWebhookIntake, type WebhookReceipt } from './calcom-webhook.intake.js';
import type { RequestWithRawBody } from './webhook-raw-body.js';

type WebhookRequest = RequestWithRawBody & { correlationId?: string };

@ApiTags('webhooks')
@Controller('webhooks')
export class CalcomWebhooksController {
  constructor(private readonly intake: CalcomWebhookIntake) {}

  @Post('calcom')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Cal.com webhook: signed, stored once as a fact, applied in the background' })
  @ApiHeader({ name: 'X-Cal-Signature-256', required: true, description: 'hex HMAC-SHA256 of the raw body with CALCOM_WEBHOOK_SECRET' })
  receive(@Req() request: WebhookRequest): Promise<WebhookReceipt> {
    if (!request.rawBody) throw new MalformedWebhookError('no body');
    const contentType = request.headers['content-type'];
    return this.intake.receive({
      rawBody: request.rawBody,
      signature: request.headers[CALCOM_SIGNATURE_HEADER],
      contentType: typeof contentType === 'string' ? contentType : null,
      correlationId: request.correlationId ?? 'none',
    });
  }
}
