import { type DynamicModule, Module } from '@nestjs/common';
import type { AuditLog } from '#event-store';
import { AuditController } from './audit.controller.js';
import { AUDIT_LOG } from './audit.tokens.js';

/** `/audit/*`: verify, anchors, export (a backend with an audit log only: PostgreSQL). */
@Module({})
export class AuditModule {
  static register(audit: AuditLog): DynamicModule {
    return { module: AuditModule, controllers: [AuditController], providers: [{ provide: AUDIT_LOG, useValue: audit }] };
  }
}
