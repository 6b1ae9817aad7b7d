/** The customer's side of the Cal.com sandbox, and its record of what happened, as the tests drive them. */
export interface SandboxState {
  bookings: { uid: string; status: string; start: string; end: string; eventTypeId: number; rescheduledToUid?: string | null }[];
  mutations: { at: string; op: string; uid: string; via: string; rescheduledFromUid?: string }[];
  webhooks: { at: string; triggerEvent: string; uid: string; delivered: boolean; status: number | null }[];
}

export function sandboxCustomer(sandboxUrl: string) {
  async function call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${sandboxUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    book: (eventTypeId: number, start: string, attendee = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' }) =>
      call<{ uid: string; start: string; end: string }>('POST', '/_sandbox/bookings', { eventTypeId, start, attendee }),
    reschedule: (uid: string, start: string, reason = 'Train late') =>
      call<{ uid: string; start: string; end: string }>('POST', `/_sandbox/bookings/${uid}/reschedule`, { start, reason }),
    cancel: (uid: string, reason = 'Changed my mind') => call('POST', `/_sandbox/bookings/${uid}/cancel`, { reason }),
    /** Replaces every fault knob; the ones left out go back to "no fault". */
    faults: (faults: Record<string, number | boolean>) => call('PUT', '/_sandbox/faults', faults),
    state: () => call<SandboxState>('GET', '/_sandbox/state'),
  };
}

/** Future slots one hour apart from tomorrow 08:00 UTC, so no two bookings of a test collide on a host. */
export function slot(index: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 8) + index * 3_600_000).toISOString();
}
