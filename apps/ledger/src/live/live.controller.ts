import { Controller, Get, HttpException, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthenticatedRequest, ReadAccess } from '../auth/auth.guard.js';
import { SESSION_COOKIE } from '../auth/session.js';
import { errorBody } from '../http/error-body.js';
import { LiveClients } from './live-clients.js';
import { LIVE_SESSIONS, type LiveSessionCheck } from './live.tokens.js';

/** Too many open `/live` streams on this instance. */
export class LiveStreamsExhaustedError extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(errorBody('LIVE_STREAMS_EXHAUSTED', 'Too many live streams are open; try again shortly', { retryAfterSeconds }), HttpStatus.SERVICE_UNAVAILABLE);
  }
}

@ApiTags('live')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('live')
export class LiveController {
  constructor(
    private readonly clients: LiveClients,
    @Inject(LIVE_SESSIONS) private readonly sessions: LiveSessionCheck,
  ) {}

  @Get()
  @ReadAccess()
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events. `event: appointment`, data `{appointmentId, version, status, calcom: {syncStatus, …}}`, when an appointment or its ' +
      'sync status changes; `event: sync`, data `{kind: "calcom-sync"|"conflict"|"webhook"|"drift", appointmentId?}`, when sync health, ' +
      'conflicts, webhook facts or drift checks change; a `: heartbeat` comment every 15 s. The stream ends when the session does.',
  })
  @ApiResponse({ status: 503, description: 'LIVE_STREAMS_EXHAUSTED (Retry-After)' })
  stream(@Req() request: AuthenticatedRequest, @Res() response: Response): void {
    const user = request.caller?.user;
    const sessionId = request.sessionID;
    const stillAllowed = user ? () => this.sessions.stillSignedIn(sessionId, user.id) : async () => true;
    if (!this.clients.open(response, stillAllowed)) {
      response.setHeader('Retry-After', '5');
      throw new LiveStreamsExhaustedError(5);
    }
  }
}
