import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import { rateLimitRemaining, rateLimitResetMs } from './calcom-rate-limit-headers.js';
import { CalcomRateLimiter } from './calcom-rate-limiter.js';
import { bookingSearchParams, expectBooking, successEnvelope, type SuccessEnvelope } from './calcom-envelope.js';
import { badResponse, type CalcomError, classifyHttpFailure, classifyTransportFailure, type CalcomRequestInfo } from './calcom.errors.js';
import type {
  CalcomBooking,
  CalcomBookingFilters,
  CalcomBookingPage,
  CalcomEventType,
  CalcomMe,
  CalcomReassignment,
  CalcomTeam,
  CalcomWebhookSubscription,
  CalcomWebhookSubscriptionInput,
  CreateCalcomBooking,
  RescheduleCalcomBooking,
} from './calcom.types.js';

export interface CalcomLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

export interface CalcomClientConfig {
  /** e.g. `https://api.cal.com`; a trailing `/v2` is accepted too. */
  apiUrl: string;
  apiKey: string;
  /** Whole-request timeout; default 10 000 ms. A timeout is an unknown outcome, never a failure. */
  timeoutMs?: number;
  /** Default 120, Cal.com's limit per API key. Ignored when `rateLimiter` is given. */
  rateLimitPerMinute?: number;
  /** Pass one shared limiter when several clients use the same API key. */
  rateLimiter?: CalcomRateLimiter;
  logger?: CalcomLogger;
}

export const CALCOM_DEFAULT_API_URL = 'https://api.cal.com';

/** Without this header Cal.com silently answers in the 2024-04-15 shape (wrong filters, 500s). */
const BOOKINGS_API_VERSION = '2024-08-13';
const EVENT_TYPES_API_VERSION = '2024-06-14';
const SLOTS_API_VERSION = '2024-09-04';

interface CalcomCall extends CalcomRequestInfo {
  apiVersion?: string;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  /** Instead of the client's own timeout, for a call someone is waiting on (an admin's slot check). */
  timeoutMs?: number;
}

/**
 * Cal.com API v2. Every call is sent once: no retries here (got's are off, redirects are not followed), because only
 * the caller knows whether repeating is safe. Failures are thrown as `CalcomError`.
 */
export class CalcomClient {
  readonly rateLimiter: CalcomRateLimiter;
  private readonly baseUrl: string;
  private readonly transport: Got;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly logger?: CalcomLogger;

  constructor(config: CalcomClientConfig) {
    if (!config.apiKey) throw new Error('CalcomClient needs an apiKey');
    this.baseUrl = config.apiUrl.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.rateLimiter = config.rateLimiter ?? new CalcomRateLimiter({ requestsPerMinute: config.rateLimitPerMinute ?? 120 });
    this.logger = config.logger;
    this.transport = got.extend({
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      responseType: 'text',
      timeout: { request: config.timeoutMs ?? 10_000 },
      agent: this.agents,
      headers: { authorization: `Bearer ${config.apiKey}`, accept: 'application/json' },
    });
  }

  async createBooking(input: CreateCalcomBooking): Promise<CalcomBooking> {
    const { name, email, timeZone, phoneNumber } = input.attendee;
    const json = {
      start: utcInstant(input.start),
      eventTypeId: input.eventTypeId,
      attendee: { name, email, timeZone, ...(phoneNumber ? { phoneNumber } : {}) },
      metadata: input.metadata,
      ...(input.lengthInMinutes ? { lengthInMinutes: input.lengthInMinutes } : {}),
    };
    const call = this.bookingCall('createBooking', 'POST', '/v2/bookings', { json });
    return expectBooking(call, await this.send(call));
  }

  async getBooking(uid: string): Promise<CalcomBooking> {
    const call = this.bookingCall('getBooking', 'GET', `/v2/bookings/${encodeURIComponent(uid)}`);
    return expectBooking(call, await this.send(call));
  }

  async listBookings(filters: CalcomBookingFilters = {}): Promise<CalcomBookingPage> {
    const call = this.bookingCall('listBookings', 'GET', '/v2/bookings', { searchParams: bookingSearchParams(filters) });
    const envelope = await this.send(call);
    if (!Array.isArray(envelope.data) || !envelope.pagination) throw badResponse(call, 200, 'Cal.com listed bookings without data[] and pagination');
    return { bookings: envelope.data as CalcomBooking[], pagination: envelope.pagination };
  }

  /** Walks every page by offset. Sort by `sortUpdatedAt: 'asc'` so changes made during the walk land at the end. */
  async *iterateBookingPages(filters: CalcomBookingFilters = {}): AsyncGenerator<CalcomBookingPage> {
    let skip = filters.skip ?? 0;
    for (;;) {
      const page = await this.listBookings({ ...filters, skip });
      yield page;
      if (!page.pagination.hasNextPage || page.bookings.length === 0) return;
      skip += page.bookings.length;
    }
  }

  async *iterateBookings(filters: CalcomBookingFilters = {}): AsyncGenerator<CalcomBooking> {
    for await (const page of this.iterateBookingPages(filters)) yield* page.bookings;
  }

  /**
   * Returns the cancelled booking. Cal.com requires a reason when the key's owner hosts the booking, and answers 400
   * when it is already cancelled: read the booking to tell "already done" from a real refusal.
   */
  async cancelBooking(uid: string, input: { cancellationReason: string }): Promise<CalcomBooking> {
    const call = this.bookingCall('cancelBooking', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/cancel`, { json: input });
    return expectBooking(call, await this.send(call));
  }

  /** Returns the NEW booking (new uid, `rescheduledFromUid` = `uid`); the old one becomes cancelled with `rescheduledToUid`. */
  async rescheduleBooking(uid: string, input: RescheduleCalcomBooking): Promise<CalcomBooking> {
    const json = { ...input, start: utcInstant(input.start) };
    const call = this.bookingCall('rescheduleBooking', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/reschedule`, { json });
    return expectBooking(call, await this.send(call));
  }

  /** Accepts a PENDING booking (no body); Cal.com announces it as BOOKING_CREATED. Returns the booking. */
  async confirmBooking(uid: string): Promise<CalcomBooking> {
    const call = this.bookingCall('confirmBooking', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/confirm`);
    return expectBooking(call, await this.send(call));
  }

  /** Turns down a PENDING booking (`{reason?}`); Cal.com announces it as BOOKING_REJECTED. Returns the booking. */
  async declineBooking(uid: string, input: { reason?: string } = {}): Promise<CalcomBooking> {
    const call = this.bookingCall('declineBooking', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/decline`, { json: input });
    return expectBooking(call, await this.send(call));
  }

  /**
   * Marks the host and/or attendees absent or present (`{host?, attendees?: [{email, absent}]}`); 400 before the
   * booking's start. Attendee changes fire BOOKING_NO_SHOW_UPDATED. Returns the booking.
   */
  async markAbsent(uid: string, input: { host?: boolean; attendees?: { email: string; absent: boolean }[] }): Promise<CalcomBooking> {
    const call = this.bookingCall('markAbsent', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/mark-absent`, { json: input });
    return expectBooking(call, await this.send(call));
  }

  /** Round-robin only; the booking keeps its uid, and Cal.com sends no webhook for it. */
  async reassignBooking(uid: string): Promise<CalcomReassignment> {
    const call = this.bookingCall('reassignBooking', 'POST', `/v2/bookings/${encodeURIComponent(uid)}/reassign`);
    return (await this.send(call)).data as CalcomReassignment;
  }

  async reassignBookingTo(uid: string, userId: number, input: { reason?: string } = {}): Promise<CalcomReassignment> {
    const path = `/v2/bookings/${encodeURIComponent(uid)}/reassign/${userId}`;
    const call = this.bookingCall('reassignBookingTo', 'POST', path, { json: input });
    return (await this.send(call)).data as CalcomReassignment;
  }

  async listEventTypes(): Promise<CalcomEventType[]> {
    const call: CalcomCall = { operation: 'listEventTypes', method: 'GET', path: '/v2/event-types', apiVersion: EVENT_TYPES_API_VERSION };
    const { data } = await this.send(call);
    if (!Array.isArray(data)) throw badResponse(call, 200, 'Cal.com listed event types without data[]');
    return data as CalcomEventType[];
  }

  /**
   * One event type by id (`GET /v2/event-types/{id}`, cal-api-version 2024-06-14): works for personal and team types
   * alike, where the listing without `username` answers 404 in some versions (event-types.service.ts, upstream 84bd4d3).
   */
  async getEventType(id: number): Promise<CalcomEventType> {
    const call: CalcomCall = { operation: 'getEventType', method: 'GET', path: `/v2/event-types/${encodeURIComponent(String(id))}`, apiVersion: EVENT_TYPES_API_VERSION };
    const { data } = await this.send(call);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badResponse(call, 200, 'Cal.com answered an event type without data{}');
    return data as CalcomEventType;
  }

  /**
   * Free slots of an event type between `start` and `end` (UTC instants), by date in `timeZone`, each `{start, end}`
   * (`GET /v2/slots`, cal-api-version 2024-09-04, `format=range`). `bookingUidToReschedule` keeps that booking's own
   * time from blocking itself.
   */
  async getSlots(
    input: { eventTypeId: number; start: string; end: string; timeZone?: string; bookingUidToReschedule?: string },
    options: { timeoutMs?: number } = {},
  ): Promise<Record<string, Array<{ start: string; end?: string }>>> {
    const searchParams: Record<string, string | number> = {
      eventTypeId: input.eventTypeId,
      start: input.start,
      end: input.end,
      timeZone: input.timeZone ?? 'UTC',
      format: 'range',
    };
    if (input.bookingUidToReschedule) searchParams.bookingUidToReschedule = input.bookingUidToReschedule;
    const call: CalcomCall = { operation: 'getSlots', method: 'GET', path: '/v2/slots', apiVersion: SLOTS_API_VERSION, searchParams, timeoutMs: options.timeoutMs };
    const { data } = await this.send(call);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badResponse(call, 200, 'Cal.com answered slots without data{}');
    return data as Record<string, Array<{ start: string; end?: string }>>;
  }

  /** A user's personal event types (`GET /v2/event-types?username=`), the way that works in every Cal.com version. */
  async listEventTypesOf(username: string): Promise<CalcomEventType[]> {
    const call: CalcomCall = { operation: 'listEventTypes', method: 'GET', path: '/v2/event-types', apiVersion: EVENT_TYPES_API_VERSION, searchParams: { username } };
    return this.listed(call);
  }

  /** The key owner's teams (`GET /v2/teams`, TeamsController, no cal-api-version). */
  async listTeams(): Promise<CalcomTeam[]> {
    return this.listed({ operation: 'listTeams', method: 'GET', path: '/v2/teams' });
  }

  /** A team's event types with their hosts and scheduling type (`GET /v2/teams/{teamId}/event-types`). */
  async listTeamEventTypes(teamId: number): Promise<CalcomEventType[]> {
    return this.listed({ operation: 'listTeamEventTypes', method: 'GET', path: `/v2/teams/${encodeURIComponent(String(teamId))}/event-types` });
  }

  /** The key owner's webhooks (`GET /v2/webhooks`, at most 250 a page). */
  async listWebhooks(): Promise<CalcomWebhookSubscription[]> {
    const found: CalcomWebhookSubscription[] = [];
    for (let skip = 0; ; skip += 250) {
      const page = await this.listed<CalcomWebhookSubscription>({ operation: 'listWebhooks', method: 'GET', path: '/v2/webhooks', searchParams: { take: 250, skip } });
      found.push(...page);
      if (page.length < 250) return found;
    }
  }

  async createWebhook(input: CalcomWebhookSubscriptionInput): Promise<CalcomWebhookSubscription> {
    return (await this.send({ operation: 'createWebhook', method: 'POST', path: '/v2/webhooks', json: input })).data as CalcomWebhookSubscription;
  }

  async updateWebhook(id: number, input: Partial<CalcomWebhookSubscriptionInput>): Promise<CalcomWebhookSubscription> {
    const path = `/v2/webhooks/${encodeURIComponent(String(id))}`;
    return (await this.send({ operation: 'updateWebhook', method: 'PATCH', path, json: input })).data as CalcomWebhookSubscription;
  }

  async deleteWebhook(id: number): Promise<void> {
    await this.send({ operation: 'deleteWebhook', method: 'DELETE', path: `/v2/webhooks/${encodeURIComponent(String(id))}` });
  }

  async me(): Promise<CalcomMe> {
    return (await this.send({ operation: 'me', method: 'GET', path: '/v2/me' })).data as CalcomMe;
  }

  /** Frees kept-alive sockets; the client cannot be used afterwards. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private bookingCall(operation: string, method: 'GET' | 'POST', path: string, extra: Partial<CalcomCall> = {}): CalcomCall {
    return { operation, method, path, apiVersion: BOOKINGS_API_VERSION, ...extra };
  }

  private async listed<T>(call: CalcomCall): Promise<T[]> {
    const { data } = await this.send(call);
    if (!Array.isArray(data)) throw badResponse(call, 200, `Cal.com answered ${call.path} without data[]`);
    return data as T[];
  }

  private async send(call: CalcomCall): Promise<SuccessEnvelope> {
    const request: CalcomRequestInfo = { operation: call.operation, method: call.method, path: call.path };
    await this.rateLimiter.acquire();
    const startedAt = performance.now();
    let response;
    try {
      response = await this.transport(`${this.baseUrl}${call.path}`, {
        method: call.method as 'GET' | 'POST' | 'PATCH' | 'DELETE',
        headers: call.apiVersion ? { 'cal-api-version': call.apiVersion } : {},
        searchParams: call.searchParams,
        json: call.json ?? (call.method === 'POST' ? {} : undefined),
        ...(call.timeoutMs ? { timeout: { request: call.timeoutMs } } : {}),
      });
    } catch (error) {
      throw this.failed(classifyTransportFailure(request, error as Error & { code?: string }), startedAt);
    }
    this.heedRateLimit(response.headers);
    const { statusCode: status, body } = response;
    if (status < 200 || status >= 300) {
      throw this.failed(classifyHttpFailure(request, { status, headers: response.headers, body }), startedAt);
    }
    const envelope = successEnvelope(body);
    if (!envelope) throw this.failed(badResponse(request, status, `Cal.com answered HTTP ${status} without a success envelope`), startedAt);
    this.logger?.debug?.('calcom call', { ...request, status, durationMs: elapsed(startedAt) });
    return envelope;
  }

  /** Cal.com's headers know its window better than our bucket does: wait out a spent window instead of earning a 429. */
  private heedRateLimit(headers: Record<string, string | string[] | undefined>): void {
    if (rateLimitRemaining(headers) !== 0) return;
    const resetMs = rateLimitResetMs(headers);
    if (resetMs !== undefined) this.rateLimiter.pauseFor(resetMs);
  }

  private failed(error: CalcomError, startedAt: number): CalcomError {
    if (error.code === 'CALCOM_RATE_LIMITED' && error.retryAfterMs !== undefined) this.rateLimiter.pauseFor(error.retryAfterMs);
    this.logger?.warn?.('calcom call failed', { ...error.toJSON(), durationMs: elapsed(startedAt) });
    return error;
  }
}

/** Cal.com wants booking times in UTC. */
function utcInstant(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an ISO 8601 instant: ${value}`);
  return date.toISOString();
}

function elapsed(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}
