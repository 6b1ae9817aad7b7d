import { HttpException, HttpStatus } from '@nestjs/common';
import { errorBody } from '../http/error-body.js';

/** Refusals of the sign-in and session layer, in the `{"error":{"code","message","details"}}` shape. */

/** One answer for an unknown email, a wrong password and a disabled account: it must not tell them apart. */
export class InvalidCredentialsError extends HttpException {
  constructor() {
    super(errorBody('INVALID_CREDENTIALS', 'The email or the password is wrong'), HttpStatus.UNAUTHORIZED);
  }
}

/** Too many failed sign-ins for this email or from this address; `Retry-After` says when to try again. */
export class SignInLockedError extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(errorBody('SIGN_IN_LOCKED', `Too many failed sign-ins: try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds }), HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** A change sent with the session cookie but without the session's `X-CSRF-Token`. */
export class CsrfTokenInvalidError extends HttpException {
  constructor() {
    super(errorBody('CSRF_TOKEN_INVALID', 'A change made with the session cookie needs the X-CSRF-Token header from sign-in or GET /auth/me'), HttpStatus.FORBIDDEN);
  }
}

export class SignInRequiredError extends HttpException {
  constructor() {
    super(errorBody('UNAUTHORIZED', 'Sign in (POST /auth/sign-in), or send a valid "Authorization: Bearer <token>" header'), HttpStatus.UNAUTHORIZED);
  }
}
