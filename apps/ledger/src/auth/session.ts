import { randomBytes, timingSafeEqual } from 'node:crypto';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { NextFunction, Request, Response } from 'express';
import type { AuthSettings } from './auth.config.js';
import type { AccountsDatabase } from './accounts.database.js';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** The synchronizer token every change sent with this session's cookie must carry as `X-CSRF-Token`. */
    csrfToken: string;
    signedInAt: string;
  }
}

export const SESSION_COOKIE = 'ledger_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Sessions {
  middleware: (request: Request, response: Response, next: NextFunction) => void;
  /** Whether a session still exists (not signed out, not idle past its expiry), without counting as use. */
  isAlive(sessionId: string): Promise<boolean>;
  close(): void;
}

/**
 * Cookie sessions kept in PostgreSQL (connect-pg-simple: every instance on the database knows every session, and a
 * restart signs nobody out). The cookie is HttpOnly, SameSite=Lax, Secure whenever the request came over TLS
 * (directly, or per X-Forwarded-Proto with TRUST_PROXY). `rolling` moves the expiry on every request, so the
 * cookie's max age is the idle timeout; the store drops expired rows.
 */
export function openSessions(database: AccountsDatabase, settings: Pick<AuthSettings, 'sessionIdleMs'>): Sessions {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool: database.pool, tableName: 'user_sessions', pruneSessionInterval: 600, errorLog: () => undefined });
  const sessions = session({
    name: SESSION_COOKIE,
    secret: database.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: settings.sessionIdleMs },
  });
  return {
    middleware: (request, response, next) => (needsSession(request) ? sessions(request, response, next) : next()),
    isAlive: (sessionId) => new Promise((resolve) => store.get(sessionId, (error, data) => resolve(!error && Boolean(data?.userId)))),
    close: () => store.close(),
  };
}

/**
 * A request with an Authorization header and no cookie is judged by its token alone (AuthGuard): it has no session to
 * load, and making one for it (an id from random bytes, a hash of it at the end, a wrapped `writeHead`) cost every
 * integration call about as much CPU as its routing. Sign-in (`/auth/…`) always gets one, whatever else it carries.
 */
function needsSession(request: Request): boolean {
  if (request.headers.authorization === undefined || request.headers.cookie !== undefined) return true;
  return (request.url ?? '').slice(0, 6).toLowerCase() === '/auth/';
}

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');

/** Whether a request sent with the session cookie carries the session's CSRF token. */
export function hasValidCsrfToken(request: Request): boolean {
  const expected = request.session?.csrfToken;
  const given = request.headers[CSRF_HEADER];
  if (!expected || typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The session starts afresh at sign-in, so an id planted before it (session fixation) is worth nothing. */
export const regenerate = (request: Request): Promise<void> =>
  new Promise((resolve, reject) => request.session.regenerate((error) => (error ? reject(asError(error)) : resolve())));

export const destroy = (request: Request): Promise<void> => new Promise((resolve, reject) => request.session.destroy((error) => (error ? reject(asError(error)) : resolve())));

export const save = (request: Request): Promise<void> => new Promise((resolve, reject) => request.session.save((error) => (error ? reject(asError(error)) : resolve())));

/** express-session hands its store's failure through as is; a promise is rejected with an Error. */
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
