import type { IncomingMessage, ServerResponse } from 'node:http';
import { accountOwner, type SandboxCatalog, type SandboxUser } from './catalog.js';
import type { FaultSettings } from './faults.js';
import { delay, matchRoute, readJsonBody, writeJson, type HttpAnswer } from './http-exchange.js';
import type { RateLimiter } from './rate-limiter.js';
import { SandboxHttpError, badRequest, errorEnvelope, internalServerError, tooManyRequests, unauthorized } from './sandbox-error.js';
import type { V2Route } from './v2-route.js';

const NO_AUTHENTICATION =
  "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers";
// Cal.com's throttler limits for callers that are not API keys.
const ACCESS_TOKEN_LIMIT = 500;
const ANONYMOUS_LIMIT = 120;

export interface V2ApiDependencies {
  apiKey: string;
  routes: V2Route[];
  catalog(): SandboxCatalog;
  faults: FaultSettings;
  rateLimiter: RateLimiter;
  now(): Date;
  /** Keeps a socket the timeout fault leaves hanging, so that close() can end it. */
  holdHangingSocket(response: ServerResponse, ms: number): void;
}

/**
 * The /v2 request pipeline in Cal.com's order: route, throttler guard (global, so first), authentication, version,
 * then the handler. Injected faults sit around the handler: an error answers 500 before anything happens, a timeout
 * lets the handler finish (its change and webhooks are real) and then never answers.
 */
export class V2Api {
  constructor(private readonly deps: V2ApiDependencies) {}

  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { deps } = this;
    const path = url.pathname;
    const matched = matchRoute(deps.routes, request.method ?? 'GET', path);
    let timedOut = false;
    try {
      if (!matched) throw new SandboxHttpError(404, 'NotFoundException', `Cannot ${request.method} ${path}`);
      await delay(deps.faults.current.apiLatencyMs);
      const caller = this.authenticate(request, response);
      const version = request.headers['cal-api-version'];
      const { route, params } = matched;
      if (route.version && version !== route.version) throw missingVersion(route.version, path, version);
      const failsNow = deps.faults.apiRandom.chance(deps.faults.current.apiErrorRate);
      timedOut = deps.faults.apiRandom.chance(deps.faults.current.apiTimeoutRate);
      if (failsNow) {
        timedOut = false;
        throw internalServerError();
      }
      const body = await readJsonBody(request);
      const answer = await route.handler({ params, query: url.searchParams, body, caller });
      this.finish(response, answer, timedOut);
    } catch (error) {
      const httpError = error instanceof SandboxHttpError ? error : unexpected(error);
      this.finish(response, { status: httpError.status, body: errorEnvelope(request.url ?? path, httpError, deps.now()) }, timedOut);
    }
  }

  private authenticate(request: IncomingMessage, response: ServerResponse): SandboxUser {
    const { deps } = this;
    const authorization = request.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
    const isOurKey = token === deps.apiKey;
    // The throttler looks API keys up before counting them: an unknown cal_ key is refused without rate headers.
    if (token && !isOurKey && token.startsWith('cal_')) throw unauthorized('CustomThrottlerGuard - Invalid API Key');
    const tracker = token ? `token:${token}` : `ip:${request.socket.remoteAddress}`;
    const limit = isOurKey ? deps.faults.current.rateLimitPerMinute : token ? ACCESS_TOKEN_LIMIT : ANONYMOUS_LIMIT;
    const verdict = deps.rateLimiter.hit(tracker, limit);
    for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
    if (verdict.blocked) throw tooManyRequests();
    if (!token) throw unauthorized(NO_AUTHENTICATION);
    if (!isOurKey) throw unauthorized('Invalid Access Token');
    return accountOwner(deps.catalog());
  }

  private finish(response: ServerResponse, answer: HttpAnswer, timedOut: boolean): void {
    if (timedOut) this.deps.holdHangingSocket(response, this.deps.faults.current.apiTimeoutHangMs);
    else writeJson(response, answer);
  }
}

function missingVersion(required: string, path: string, given: string | string[] | undefined): SandboxHttpError {
  const sent = given === undefined ? 'no cal-api-version header was sent' : `cal-api-version was ${JSON.stringify(given)}`;
  return badRequest(
    `${path} requires the header cal-api-version: ${required}, but ${sent}. Cal.com would silently answer with an older response shape (2024-04-15); the sandbox refuses instead.`,
  );
}

function unexpected(error: unknown): SandboxHttpError {
  console.error('calcom-sandbox: unexpected error', error);
  return internalServerError();
}
