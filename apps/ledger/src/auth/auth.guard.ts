import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthorizedError } from '../http/transport.errors.js';
import { LEDGER_CONFIG } from '../ledger.tokens.js';
import type { LedgerConfig, Role } from '../config.js';
import { Accounts, publicUser, type PublicUser } from './accounts.js';
import { CsrfTokenInvalidError, SignInRequiredError } from './auth.errors.js';
import { hasValidCsrfToken } from './session.js';

const ACCESS = 'ledger:access';
type Access = 'public' | 'read';

/** No token needed (health, metrics, docs, signed webhooks). */
export const Public = () => SetMetadata(ACCESS, 'public' satisfies Access);
/** Auditors may call it too. Everything not marked is for admins only. */
export const ReadAccess = () => SetMetadata(ACCESS, 'read' satisfies Access);

export interface Caller {
  role: Role;
  /** A short, stable fingerprint of the token, so the record says which credential acted without storing it; null for a session. */
  tokenId: string | null;
  /** The signed-in person, for a caller with a session cookie. */
  user?: PublicUser;
}

export type AuthenticatedRequest = Request & { caller?: Caller };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling: a bearer token (integrations; unchanged), else the session cookie of a signed-in person. A request
 * with an Authorization header is judged by it alone. With the cookie, every change must carry the session's
 * `X-CSRF-Token` (a browser sends cookies on cross-site requests too; it never sends that header), and the account is
 * read again each time, so a disabled person or a changed role takes effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly known: { digest: Buffer; caller: Caller }[];

  constructor(
    private readonly reflector: Reflector,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    @Optional() @Inject(Accounts) private readonly accounts: Accounts | null,
  ) {
    this.known = config.apiTokens.map(({ role, token }) => ({
      digest: sha256(token),
      caller: { role, tokenId: sha256(token).toString('hex').slice(0, 8) },
    }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const caller = request.headers.authorization !== undefined ? this.identify(request.headers.authorization) : await this.signedIn(request);
    if (!caller) throw request.headers.authorization !== undefined ? new UnauthorizedError() : new SignInRequiredError();
    if (caller.user && !SAFE_METHODS.has(request.method) && !hasValidCsrfToken(request)) throw new CsrfTokenInvalidError();
    if (caller.role !== 'admin' && access !== 'read') {
      throw new ForbiddenError(`The ${caller.role} role may read but not change anything`, { role: caller.role });
    }
    request.caller = caller;
    return true;
  }

  private identify(header: string): Caller | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return undefined;
    const digest = sha256(match[1]);
    // Compare against every token so the time taken does not reveal which one nearly matched.
    let found: Caller | undefined;
    for (const entry of this.known) if (timingSafeEqual(entry.digest, digest)) found = entry.caller;
    return found;
  }

  private async signedIn(request: Request): Promise<Caller | undefined> {
    const userId = request.session?.userId;
    if (!this.accounts || !userId) return undefined;
    const account = await this.accounts.byId(userId);
    if (!account || account.disabled) return undefined;
    return { role: account.role, tokenId: null, user: publicUser(account) };
  }
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
