import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { CalcomUnavailableError } from '#domain';
import { ReadAccess } from '../auth/auth.guard.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import type { CalcomConnectService } from './calcom-connect.service.js';
import type { CalcomWebhookSecrets } from './calcom-webhook-secrets.js';

export const CALCOM_CONNECT = Symbol('calcom connect service');
export const CALCOM_WEBHOOK_SECRETS = Symbol('calcom webhook secrets');

const MAX_DAYS_BACK = 3650;
const DEFAULT_BATCH = 100;

export class ConnectTargetDto {
  @ApiPropertyOptional({
    description: 'The ledger’s public address, instead of PUBLIC_URL: the webhook goes to <publicUrl>/webhooks/calcom',
    example: 'https://ledger.salon.example',
  })
  @IsOptional()
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true })
  publicUrl?: string;
}

export class ConnectPlanDto extends ConnectTargetDto {
  @ApiPropertyOptional({ description: 'Adopt past bookings of the last N days too', default: 0, minimum: 0, maximum: MAX_DAYS_BACK })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DAYS_BACK)
  daysBack?: number;
}

export class ConnectApplyDto extends ConnectPlanDto {
  @ApiPropertyOptional({ enum: ['catalog', 'webhook', 'bookings'], description: 'One step of the plan; `bookings` adopts at most `limit` and says how many remain' })
  @IsIn(['catalog', 'webhook', 'bookings'])
  step: 'catalog' | 'webhook' | 'bookings';

  @ApiPropertyOptional({ default: DEFAULT_BATCH, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/**
 * Connecting an existing Cal.com account (admin only; `npm run calcom:connect` and the admin UI's wizard use these):
 * the plan changes nothing; each step of apply is safe to repeat; rotate and disconnect act on the ledger's own
 * webhook subscription. `GET /calcom/connect` says whether one is registered (never its secret).
 */
@ApiTags('calcom connect')
@ApiBearerAuth()
@Controller('calcom/connect')
export class CalcomConnectController {
  constructor(
    @Inject(CALCOM_CONNECT) private readonly connect: CalcomConnectService | null,
    @Inject(CALCOM_WEBHOOK_SECRETS) private readonly secrets: CalcomWebhookSecrets,
  ) {}

  @Get()
  @ReadAccess()
  async status() {
    const subscriptions = (await this.secrets.all()).filter((stored) => stored.subscriptionId > 0);
    return {
      calcomConfigured: this.connect !== null,
      linked: subscriptions.length > 0,
      subscriptions: subscriptions.map(({ subscriberUrl, subscriptionId, previousValidUntil }) => ({
        subscriberUrl,
        subscriptionId,
        previousSecretAcceptedUntil: previousValidUntil && previousValidUntil.getTime() > Date.now() ? previousValidUntil.toISOString() : null,
      })),
    };
  }

  @Post('plan')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin: what connecting would do (account, staff, services, webhook, bookings); changes nothing' })
  plan(@Body() body: ConnectPlanDto) {
    return this.service().plan({ daysBack: body.daysBack ?? 0, publicUrl: body.publicUrl });
  }

  @Post('apply')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin: carry out one step of the plan (catalog, webhook, bookings)' })
  async apply(@Body() body: ConnectApplyDto, @Context() context: RequestContext) {
    const options = { daysBack: body.daysBack ?? 0, publicUrl: body.publicUrl };
    const metadata = adminMetadata(context, 'connect the Cal.com account');
    if (body.step === 'catalog') return { step: 'catalog', catalog: await this.service().saveCatalog(metadata) };
    if (body.step === 'webhook') return { step: 'webhook', webhook: await this.service().registerWebhook(options) };
    return { step: 'bookings', bookings: await this.service().adoptBookings(options, body.limit ?? DEFAULT_BATCH, { ...metadata, source: 'calcom' }) };
  }

  @Post('rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin: a new secret for the ledger’s webhook subscription; the old one is accepted for CALCOM_WEBHOOK_SECRET_OVERLAP_MS' })
  rotate(@Body() body: ConnectTargetDto) {
    return this.service().rotateSecret({ publicUrl: body.publicUrl });
  }

  @Post('disconnect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin: delete the ledger’s webhook subscription on Cal.com and forget its secret' })
  disconnect(@Body() body: ConnectTargetDto) {
    return this.service().disconnect({ publicUrl: body.publicUrl });
  }

  private service(): CalcomConnectService {
    if (!this.connect) throw new CalcomUnavailableError('no Cal.com is configured (CALCOM_API_KEY, or the in-process sandbox)');
    return this.connect;
  }
}
