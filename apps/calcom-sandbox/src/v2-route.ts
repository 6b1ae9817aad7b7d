import type { SandboxUser } from './catalog.js';
import type { HttpAnswer } from './http-exchange.js';

/** One `/v2` operation of the sandbox: what every route file shares, apart from the list that gathers them (v2-routes.ts). */
export interface V2Request {
  params: string[];
  query: URLSearchParams;
  body: unknown;
  caller: SandboxUser;
}

export interface V2Route {
  method: string;
  pattern: RegExp;
  /** The cal-api-version the operation requires; Cal.com silently serves an older shape without it. */
  version?: string;
  handler: (request: V2Request) => Promise<HttpAnswer>;
}

export const BOOKINGS_VERSION = '2024-08-13';
export const EVENT_TYPES_VERSION = '2024-06-14';

export const success = (status: number, data: unknown, extra: object = {}): HttpAnswer => ({ status, body: { status: 'success', data, ...extra } });
