import { Controller, Get, Inject, Redirect } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.guard.js';
import { LEDGER_CONFIG } from '../ledger.tokens.js';
import type { LedgerConfig } from '../config.js';

export const UI_LOCALES = ['en', 'de'] as const;

class UiConfigView {
  @ApiProperty({ example: 'Europe/Berlin', description: 'BUSINESS_TIME_ZONE: the time zone the calendar is drawn in' }) businessTimeZone: string;
  @ApiProperty({ example: UI_LOCALES }) locales: string[];
  @ApiProperty({ example: '0.1.0' }) version: string;
}

/** What the UI needs before anyone signs in; nothing secret. */
@ApiTags('admin UI')
@Controller()
export class UiConfigController {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  @Get('ui/config')
  @Public()
  @ApiOkResponse({ type: UiConfigView })
  uiConfig(): UiConfigView {
    return { businessTimeZone: this.config.businessTimeZone ?? 'UTC', locales: [...UI_LOCALES], version: this.config.version ?? 'unknown' };
  }

  /** `http://host/` is where people land after `npm start`: the UI, not a JSON 404. */
  @Get()
  @Public()
  @Redirect('/admin/', 302)
  @ApiExcludeEndpoint()
  root(): void {}
}
