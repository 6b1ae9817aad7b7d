import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard.js';
import { CalcomWebhookIntake, type WebhookReceipt } from './calcom-webhook.intake.js';
import type { RequestWithRawBody } from './webhook-raw-body.js';
import { tellWhenToRetry, webhookDeliveryOf } from './webhook-delivery.handler.js';

type WebhookRequest = RequestWithRawBody & { correlationId?: string };

/**
 * The delivery route as the API documents it. A running ledger answers deliveries before they reach Nest
 * (answerWebhookDeliveries, mounted in startLedger) with the same intake and the same answers; this handler answers
 * them in an application built without it.
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class CalcomWebhooksController {
  constructor(private readonly intake: CalcomWebhookIntake) {}

  @Post('calcom')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Cal.com webhook: signed, stored once as a fact, applied in the background' })
  @ApiHeader({ name: 'X-Cal-Signature-256', required: true, description: 'hex HMAC-SHA256 of the raw body with CALCOM_WEBHOOK_SECRET' })
  @ApiResponse({ status: 503, description: 'WEBHOOK_INTAKE_BUSY: too many deliveries waiting to be stored; see Retry-After' })
  async receive(@Req() request: WebhookRequest, @Res({ passthrough: true }) response: Response): Promise<WebhookReceipt> {
    const delivery = webhookDeliveryOf(request, request.correlationId ?? 'none');
    try {
      return await this.intake.receive(delivery);
    } catch (error) {
      tellWhenToRetry(response, error);
      throw error;
    }
  }
}
