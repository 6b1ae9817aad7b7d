import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Response } from 'express';
import type { EventMetadata } from '#event-store';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';

export interface RequestContext {
  correlationId: string;
  actor: string;
  /** The signed-in person's account id; null for a bearer token. */
  actorId: string | null;
  tokenId: string | null;
}

const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE_ID = /^[\w.:-]{1,100}$/;

/** Every request carries a correlation id: the caller's if it sent a sane one, otherwise a new one. It is echoed back. */
export function correlationIdMiddleware(request: AuthenticatedRequest, response: Response, next: NextFunction): void {
  assignCorrelationId(request, response);
  next();
}

/** The request's correlation id, kept on it and echoed back (webhook deliveries, answered ahead of the middleware). */
export function assignCorrelationId(request: IncomingMessage & { correlationId?: string }, response: ServerResponse): string {
  const given = request.headers[CORRELATION_HEADER];
  const correlationId = typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
  request.correlationId = correlationId;
  response.setHeader('X-Correlation-Id', correlationId);
  return correlationId;
}

/**
 * Who is acting: the signed-in person (name and account id, from the session: no header can change it); for a bearer
 * token, the person an integration names in `X-Actor`, else the role and token fingerprint.
 */
export const Context = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest & { correlationId?: string }>();
  const correlationId = request.correlationId ?? randomUUID();
  const caller = request.caller;
  if (caller?.user) return { correlationId, actor: caller.user.name, actorId: caller.user.id, tokenId: null };
  const named = request.headers['x-actor'];
  return {
    correlationId,
    actor: typeof named === 'string' && named.trim() ? named.trim().slice(0, 200) : caller ? `${caller.role}:${caller.tokenId}` : 'anonymous',
    actorId: null,
    tokenId: caller?.tokenId ?? null,
  };
});

export const adminMetadata = (context: RequestContext, reason: string | null = null): EventMetadata => ({
  actor: context.actor,
  ...(context.actorId ? { actorId: context.actorId } : {}),
  source: 'admin',
  correlationId: context.correlationId,
  causationId: null,
  reason,
  tokenId: context.tokenId,
});
