import type { SeededRandom } from '../workload/seeded-random.js';

export const COMMAND_KINDS = ['create', 'reschedule', 'reassign', 'change-service', 'cancel', 'check-in', 'contact'] as const;
export const READ_KINDS = ['list', 'get', 'history', 'week'] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];
export type ReadKind = (typeof READ_KINDS)[number];
export type RequestKind = CommandKind | ReadKind;

/** Out of every 20 requests: half admin commands, half the reads that the desk and the calendar make. */
const MIX: Record<RequestKind, number> = {
  create: 3,
  reschedule: 2,
  reassign: 1,
  'change-service': 1,
  cancel: 1,
  'check-in': 1,
  contact: 1,
  list: 3,
  get: 3,
  history: 2,
  week: 2,
};

export interface SalonRequest {
  kind: RequestKind;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** The version this client last saw of the appointment, sent as If-Match. */
  ifMatch?: number;
  appointmentId?: string;
}

interface Known {
  staffId: string;
  serviceId: string;
  version: number;
  /** Still scheduled (not cancelled, not checked in): open to every command. */
  scheduled: boolean;
}

export interface SalonShape {
  staffIds: readonly string[];
  serviceIds: readonly string[];
  /** Start of the first free hour; every booking and move takes a fresh hour, so no two ever overlap. */
  firstHourMs: number;
}

/**
 * The salon as one admin client knows it: the appointments it booked with the version each command answered, and
 * which of them have a request in flight (never sent a second one meanwhile, so every If-Match is the current
 * version). Each request is chosen when it is due, from what has been answered by then.
 */
export class SalonClient {
  private readonly known = new Map<string, Known>();
  private readonly ids: string[] = [];
  private readonly inFlight = new Set<string>();
  private nextHour = 0;
  private readonly weights: [RequestKind, number][] = Object.entries(MIX) as [RequestKind, number][];
  private readonly totalWeight = Object.values(MIX).reduce((sum, weight) => sum + weight, 0);

  constructor(
    private readonly shape: SalonShape,
    private readonly random: SeededRandom,
  ) {}

  get appointments(): number {
    return this.known.size;
  }

  /** The next request of the mix; a command with no appointment free for it becomes a create. */
  next(): SalonRequest {
    let draw = this.random.below(this.totalWeight);
    const [kind] = this.weights.find(([, weight]) => (draw -= weight) < 0)!;
    return this.request(kind);
  }

  request(kind: RequestKind): SalonRequest {
    if (kind === 'create') return this.create();
    if (kind === 'week') return { kind, method: 'GET', path: `/appointments?${this.weekQuery()}` };
    if (kind === 'list') return { kind, method: 'GET', path: `/appointments?staffId=${this.random.pick(this.shape.staffIds)}&status=scheduled&limit=50` };
    const id = this.pickIdle(kind === 'get' || kind === 'history');
    if (!id) return this.create();
    if (kind === 'get') return { kind, method: 'GET', path: `/appointments/${id}` };
    if (kind === 'history') return { kind, method: 'GET', path: `/appointments/${id}/history` };
    const known = this.known.get(id)!;
    this.inFlight.add(id);
    const command = (action: string, body: unknown): SalonRequest => ({
      kind,
      method: 'POST',
      path: `/appointments/${id}/${action}`,
      body,
      ifMatch: known.version,
      appointmentId: id,
    });
    switch (kind) {
      case 'reschedule':
        return command('reschedule', { startsAt: this.freshHour() });
      case 'reassign':
        return command('reassign', { staffId: this.other(this.shape.staffIds, known.staffId) });
      case 'change-service':
        return command('change-service', { serviceId: this.other(this.shape.serviceIds, known.serviceId) });
      case 'cancel':
        return command('cancel', { reason: 'bench: the customer called' });
      case 'check-in':
        return command('check-in', {});
      case 'contact':
        return command('contact', { customer: { phone: `+44 20 7946 ${String(this.random.below(10_000)).padStart(4, '0')}` } });
    }
  }

  /** Learns the answer: a command's new version, a booking, what left the schedule. */
  answered(request: SalonRequest, status: number, body: unknown): void {
    const id = request.appointmentId;
    if (!id) return;
    this.inFlight.delete(id);
    if (status < 200 || status > 299) return;
    const version = (body as { version?: unknown }).version;
    if (typeof version !== 'number') throw new Error(`${request.method} ${request.path} answered without a version: ${JSON.stringify(body)}`);
    if (request.kind === 'create') {
      const { staffId, serviceId } = request.body as { staffId: string; serviceId: string };
      this.known.set(id, { staffId, serviceId, version, scheduled: true });
      this.ids.push(id);
      return;
    }
    const known = this.known.get(id)!;
    known.version = version;
    const sent = request.body as { staffId?: string; serviceId?: string };
    if (request.kind === 'reassign') known.staffId = sent.staffId!;
    if (request.kind === 'change-service') known.serviceId = sent.serviceId!;
    if (request.kind === 'cancel' || request.kind === 'check-in') known.scheduled = false;
  }

  private create(): SalonRequest {
    const appointmentId = this.random.uuid();
    const staffId = this.random.pick(this.shape.staffIds);
    const serviceId = this.shape.serviceIds[0];
    const customer = { name: 'Bench Client', email: `bench-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'UTC' };
    this.inFlight.add(appointmentId);
    return { kind: 'create', method: 'POST', path: '/appointments', body: { appointmentId, serviceId, staffId, startsAt: this.freshHour(), customer }, appointmentId };
  }

  /** A random appointment with nothing in flight: any for a read, a scheduled one for a command. */
  private pickIdle(forRead: boolean): string | null {
    for (let tries = 0; tries < 20 && this.ids.length > 0; tries++) {
      const id = this.random.pick(this.ids);
      if (forRead || (!this.inFlight.has(id) && this.known.get(id)!.scheduled)) return id;
    }
    return null;
  }

  private other(choices: readonly string[], current: string): string {
    const others = choices.filter((choice) => choice !== current);
    return this.random.pick(others);
  }

  private freshHour(): string {
    return new Date(this.shape.firstHourMs + this.nextHour++ * 3_600_000).toISOString();
  }

  /** The calendar's week around the bookings made so far, as the admin UI asks for it (first page of 200). */
  private weekQuery(): string {
    const weekMs = 7 * 86_400_000;
    const weeks = Math.max(1, Math.ceil((this.nextHour * 3_600_000) / weekMs));
    const from = this.shape.firstHourMs + this.random.below(weeks) * weekMs;
    return `from=${new Date(from).toISOString()}&to=${new Date(from + weekMs).toISOString()}&limit=200`;
  }
}
