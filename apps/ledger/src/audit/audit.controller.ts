import { once } from 'node:events';
import { Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { START, type AuditLog, verifyChain, type VerifyReport, GENESIS_HEAD } from '#event-store';
import { ReadAccess } from '../auth/auth.guard.js';
import { oneOfFromQuery, pageSizeFromQuery } from '../http/query-params.js';
import { auditRangeFromQuery, keptAnchorFromText } from './audit-range.js';
import { CSV_HEADER, csvLine, EXPORT_FORMATS, jsonLine, toExportedEvent, type ExportFormat } from './audit-export.format.js';
import type { AuditExportView } from './audit.module.js';
import { AUDIT_EXPORT_VIEW, AUDIT_LOG } from './audit.tokens.js';

const CONTENT_TYPES: Record<ExportFormat, string> = { jsonl: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(AUDIT_EXPORT_VIEW) private readonly exportView: AuditExportView,
  ) {}

  /** Re-checks the hash chain (all of it, or `from`/`to`), and the anchors on the way; names the first event that does not match. */
  @Get('verify')
  @ReadAccess()
  @ApiQuery({ name: 'from', required: false, description: 'exclusive: a position or an ISO date-time' })
  @ApiQuery({ name: 'to', required: false, description: 'inclusive: a position or an ISO date-time' })
  @ApiQuery({ name: 'anchor', required: false, description: '<position>:<head hash> kept elsewhere' })
  async verify(@Query('from') from?: unknown, @Query('to') to?: unknown, @Query('anchor') anchor?: unknown): Promise<VerifyReport> {
    const range = await auditRangeFromQuery(this.audit, { from, to });
    const kept = keptAnchorFromText(this.audit, anchor);
    if (range.empty && !kept) return nothingToVerify();
    return this.audit.withSession((session) => verifyChain(session, { from: range.from, to: range.to, anchor: kept }));
  }

  /** Head hashes of the global order, newest first: keep them elsewhere, hand one back to `verify?anchor=`. */
  @Get('anchors')
  @ReadAccess()
  @ApiQuery({ name: 'limit', required: false })
  async anchors(@Query('limit') limit?: unknown) {
    return { anchors: await this.audit.anchors(pageSizeFromQuery(limit, 1000, 100)) };
  }

  /** Takes an anchor now (the leader also takes one daily). */
  @Post('anchors')
  @HttpCode(200)
  async takeAnchor() {
    return { anchor: await this.audit.takeAnchor('on-demand') };
  }

  /** Every event of a period in the global order, streamed as JSON lines or CSV, with actor, source, ids, reason and hash. */
  @Get('export')
  @ReadAccess()
  @ApiQuery({ name: 'format', required: false, enum: EXPORT_FORMATS })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  async export(@Res() response: Response, @Query('from') from?: unknown, @Query('to') to?: unknown, @Query('format') format?: unknown): Promise<void> {
    const chosen = oneOfFromQuery('format', format, EXPORT_FORMATS) ?? 'jsonl';
    const range = await auditRangeFromQuery(this.audit, { from, to });
    response.status(200);
    response.setHeader('content-type', CONTENT_TYPES[chosen]);
    response.setHeader('content-disposition', `attachment; filename="ledger-events.${chosen}"`);
    response.setHeader('cache-control', 'no-store');
    const write = async (chunk: string) => {
      if (!response.write(chunk)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
    };
    try {
      if (chosen === 'csv') await write(CSV_HEADER);
      if (!range.empty) {
        await this.audit.withSession(async (session) => {
          for await (const page of session.scan(range.from ?? START, range.to ?? null)) {
            if (response.destroyed) return;
            const line = chosen === 'csv' ? csvLine : jsonLine;
            const shown = await this.exportView(page);
            await write(shown.map((event) => line(toExportedEvent(event))).join(''));
          }
        });
      }
      response.end();
    } catch (error) {
      // Headers are gone: the only honest signal left is a cut connection (the client sees no clean end).
      response.destroy(error as Error);
    }
  }
}

function nothingToVerify(): VerifyReport {
  return { intact: true, startedAfter: START, lastChecked: null, checkedEvents: 0, anchorsChecked: 0, head: { hash: GENESIS_HEAD, eventCount: 0 }, problem: null };
}
