import { type DynamicModule, Module } from '@nestjs/common';
import type { AuditedEvent, AuditLog, PersonalDataProtection } from '#event-store';
import { AuditController } from './audit.controller.js';
import { AUDIT_EXPORT_VIEW, AUDIT_LOG } from './audit.tokens.js';

export type AuditExportView = (page: AuditedEvent[]) => Promise<AuditedEvent[]>;

/** `/audit/*`: verify, anchors, export (a backend with an audit log only: PostgreSQL). */
@Module({})
export class AuditModule {
  /** `personalData`: exports open customers' data as reads do; verify always checks the stored bytes. */
  static register(audit: AuditLog, personalData: PersonalDataProtection | null = null): DynamicModule {
    const view: AuditExportView = personalData ? (page) => personalData.open(page, (event) => event.eventId) : async (page) => page;
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [
        { provide: AUDIT_LOG, useValue: audit },
        { provide: AUDIT_EXPORT_VIEW, useValue: view },
      ],
    };
  }
}
