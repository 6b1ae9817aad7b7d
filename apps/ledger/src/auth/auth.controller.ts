import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiHeader, ApiOkResponse, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ValidateBy } from 'class-validator';
import { Context, type RequestContext } from '../http/request-context.js';
import { emailProblem, EMAIL_MAX_LENGTH, MAX_PASSWORD_LENGTH, passwordTextProblem } from './account-input.js';
import { Accounts, type PublicUser } from './accounts.js';
import { InvalidCredentialsError, SignInLockedError, SignInRequiredError } from './auth.errors.js';
import { type AuthenticatedRequest, Public, ReadAccess } from './auth.guard.js';
import { destroy, newCsrfToken, regenerate, save, SESSION_COOKIE } from './session.js';
import { SignInService } from './sign-in.service.js';

const Satisfies = (name: string, problemOf: (value: unknown) => string | null) =>
  ValidateBy({ name, validator: { validate: (value) => problemOf(value) === null, defaultMessage: (args) => `$property ${problemOf(args?.value) ?? 'is not valid'}` } });

export class SignInDto {
  @ApiProperty({ type: String, maxLength: EMAIL_MAX_LENGTH, example: 'owner@salon.example' })
  @Satisfies('isEmailAddress', emailProblem)
  email: string;

  @ApiProperty({ type: String, maxLength: MAX_PASSWORD_LENGTH, format: 'password' })
  @Satisfies('isPassword', passwordTextProblem)
  password: string;
}

class UserView {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['admin', 'auditor'] }) role: string;
}

class SessionView {
  @ApiProperty({ type: UserView }) user: PublicUser;
  @ApiProperty({ description: 'Send it as X-CSRF-Token with every change made with the session cookie' }) csrfToken: string;
}

/** Sign-in with email and password for the admin UI; integrations keep their bearer tokens. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly signIns: SignInService,
    private readonly accounts: Accounts,
  ) {}

  @Post('sign-in')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: SessionView, description: `Signed in: the \`${SESSION_COOKIE}\` cookie (HttpOnly, SameSite=Lax, Secure over TLS) is set` })
  @ApiResponse({ status: 401, description: 'INVALID_CREDENTIALS: unknown email, wrong password or disabled account (one answer for all)' })
  @ApiResponse({ status: 429, description: 'SIGN_IN_LOCKED: too many failures for this email or from this address; see Retry-After' })
  async signIn(@Body() body: SignInDto, @Req() request: Request, @Res({ passthrough: true }) response: Response, @Context() context: RequestContext): Promise<SessionView> {
    const result = await this.signIns.signIn({ email: body.email, password: body.password, clientAddress: request.ip ?? null, correlationId: context.correlationId });
    if (result.outcome === 'locked') {
      response.setHeader('Retry-After', String(result.retryAfterSeconds));
      throw new SignInLockedError(result.retryAfterSeconds);
    }
    if (result.outcome === 'invalid') throw new InvalidCredentialsError();
    await regenerate(request);
    request.session.userId = result.account.id;
    request.session.csrfToken = newCsrfToken();
    request.session.signedInAt = new Date().toISOString();
    await save(request);
    const { id, email, name, role } = result.account;
    return { user: { id, email, name, role }, csrfToken: request.session.csrfToken };
  }

  @Get('me')
  @ReadAccess()
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOkResponse({ type: SessionView })
  @ApiResponse({ status: 401, description: 'UNAUTHORIZED: not signed in (a bearer token has no person to show)' })
  me(@Req() request: AuthenticatedRequest): SessionView {
    const user = request.caller?.user;
    if (!user || !request.session.csrfToken) throw new SignInRequiredError();
    return { user, csrfToken: request.session.csrfToken };
  }

  @Post('sign-out')
  @ReadAccess()
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiHeader({ name: 'X-CSRF-Token', required: true })
  @ApiResponse({ status: 204, description: 'The session is gone and its cookie cleared' })
  @ApiResponse({ status: 403, description: 'CSRF_TOKEN_INVALID' })
  async signOut(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) response: Response, @Context() context: RequestContext): Promise<void> {
    const user = request.caller?.user;
    if (!user) throw new SignInRequiredError();
    await destroy(request);
    response.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: request.secure });
    await this.accounts.record(
      user.id,
      { type: 'UserSignedOut', data: { userId: user.id } },
      {
        actor: user.name,
        actorId: user.id,
        source: 'admin',
        correlationId: context.correlationId,
        causationId: null,
        reason: null,
      },
    );
  }
}
