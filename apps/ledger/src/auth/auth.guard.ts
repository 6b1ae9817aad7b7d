import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../http/transport.errors.js';
import { LEDGER_CONFIG } from '../ledger.tokens.js';
import type { LedgerConfig, Role } from '../config.js';

const ACCESS = 'ledger:access';
type Access = 'public' | 'read';

/** No token needed (health, metrics, docs, signed webhooks). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** Auditors may call it too. Everything not marked is for admins only. */
export const ReadAccess = () => SetMetadata(ACCESS, 'read' satisfies Access);

export interface Caller {
  role: Role;
  /** A short, stable fingerprint of the token, so the record says which credential acted without storing it. */
  tokenId: string;
}

export type AuthenticatedRequest = Request & { caller?: Caller };

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly known: { digest: Buffer; caller: Caller }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.known = config.apiTokens.map(({ role, token }) => ({
      digest: sha256(token),
      caller: { role, tokenId: sha256(token).toString('hex').slice(0, 8) },
    }));
  }

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = this.identify(request.headers.authorization);
    if (!caller) throw new UnauthorizedError();
    if (caller.role !== 'admin' && access !== 'read') {
      throw new ForbiddenError(`The ${caller.role} role may read but not change anything`, { role: caller.role });
    }
    request.caller = caller;
    return true;
  }

  private identify(header: string | undefined): Caller | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return undefined;
    const digest = sha256(match[1]);
    // Compare against every token so the time taken does not reveal which one nearly matched.
    let found: Caller | undefined;
    for (const entry of this.known) if (timingSafeEqual(entry.digest, digest)) found = entry.caller;
    return found;
  }
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
