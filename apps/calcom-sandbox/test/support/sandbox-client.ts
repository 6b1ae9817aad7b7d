import type { RunningSandbox } from '../../src/index.js';

export interface Reply<Body = any> {
  status: number;
  headers: Headers;
  body: Body;
}

/** A mutable clock for `startSandbox({ now })`, so that tests decide what "now" and "60 seconds later" are. */
export function testClock(startIso = '2030-01-01T08:00:00.000Z') {
  let current = new Date(startIso).getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/** An ISO start `days` after the test clock's start, at the given UTC time. */
export function startAt(day: number, time = '10:00'): string {
  return `2030-01-${String(day).padStart(2, '0')}T${time}:00.000Z`;
}

/** HTTP calls to a running sandbox: `v2` sends the API key and cal-api-version 2024-08-13 unless told otherwise. */
export function sandboxClient(sandbox: RunningSandbox) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const apiHeaders = { Authorization: `Bearer ${sandbox.apiKey}`, 'cal-api-version': '2024-08-13' };
  return {
    v2: (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(method, `/v2${path}`, body, { ...apiHeaders, ...headers }),
    raw: call,
    lever: (method: string, path: string, body?: unknown) => call(method, `/_sandbox${path}`, body),
    state: async () => (await call('GET', '/_sandbox/state')).body as SandboxState,
  };
}

export type SandboxClient = ReturnType<typeof sandboxClient>;

export interface SandboxState {
  bookings: any[];
  mutations: { at: string; op: string; uid: string; via: string; rescheduledFromUid?: string }[];
  webhooks: { at: string; triggerEvent: string; uid: string; delivered: boolean; status: number | null }[];
}

export function attendee(name = 'Ann Lee', email = 'ann@example.com', timeZone = 'Europe/Berlin') {
  return { name, email, timeZone };
}
