/** The sandbox's /_sandbox levers, as a test drives them (plain fetch: these are not Cal.com calls). */
export interface SandboxMutation {
  op: string;
  uid: string;
  via: string;
  rescheduledFromUid?: string;
}

export function sandboxLevers(sandboxUrl: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${sandboxUrl}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
  return {
    reset: () => call<void>('POST', 'reset'),
    /** Replaces every fault knob: the ones left out go back to "no fault". */
    setFaults: (faults: Record<string, number | boolean>) => call<unknown>('PUT', 'faults', faults),
    mutations: async () => (await call<{ mutations: SandboxMutation[] }>('GET', 'state')).mutations,
  };
}

// Fixed once per test file, so a run that crosses midnight still compares like with like.
const TOMORROW = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1));

/** Future slots one hour apart, so no two test bookings ever collide on a host. */
export function slot(index: number): string {
  return new Date(TOMORROW.getTime() + index * 3_600_000).toISOString();
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
