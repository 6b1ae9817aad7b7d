import { type AbsencePlanKind, type AffectedAppointment, CalcomSlotUnavailableError, type CandidateFacts, planAbsence, planDecisions, type PlanStep } from '#domain';
import type { AppointmentsQueries, CatalogQueries } from '#projections';
import type { AppointmentFacts } from '../appointments/appointment-facts.js';
import type { CalcomSlotCheck } from '../appointments/calcom-slot-check.js';
import { fingerprintOf } from '../idempotency/idempotent-requests.js';
import type { StaffPresence } from './staff-presence.js';

export interface AbsenceRequest {
  staffId: string;
  from: string;
  to: string;
  plan: AbsencePlanKind;
  reassignTo: readonly string[] | null;
}

export interface AbsencePlan {
  steps: PlanStep[];
  /** What the client sends back with the real call: the same fingerprint means the same decisions. */
  planFingerprint: string;
}

/** Statuses that hold a place on the calendar: an absence must move or cancel them. */
const AFFECTED_STATUSES: ReadonlySet<string> = new Set(['scheduled', 'requested']);

/**
 * Works out what an absence does to the staff member's appointments: the facts about each colleague at each time
 * (their appointments in the ledger, their own absences, Cal.com's slots through the same check the commands use),
 * then the pure plan (absence-plan.ts). Reads only; the real call runs it under the locks (staff-absence.service.ts).
 */
export class AbsencePlanner {
  constructor(
    private readonly appointments: AppointmentsQueries,
    private readonly catalog: CatalogQueries,
    private readonly facts: AppointmentFacts,
    private readonly presence: StaffPresence,
    private readonly slots: CalcomSlotCheck,
  ) {}

  async staffExists(staffId: string): Promise<void> {
    await this.facts.staff(staffId);
  }

  async plan(request: AbsenceRequest): Promise<AbsencePlan> {
    await this.facts.staff(request.staffId);
    for (const colleague of request.reassignTo ?? []) await this.facts.staff(colleague);
    const affected = await this.affected(request);
    const candidates = new Map<string, CandidateFacts[]>();
    for (const appointment of affected) candidates.set(appointment.appointmentId, await this.candidatesFor(appointment, request));
    const steps = planAbsence(request.plan, affected, (appointment) => candidates.get(appointment.appointmentId) ?? []);
    return { steps, planFingerprint: fingerprintOfPlan(request, steps) };
  }

  private async affected({ staffId, from, to }: AbsenceRequest): Promise<AffectedAppointment[]> {
    const found: AffectedAppointment[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.appointments.list({ staffId, from, to, limit: 200, cursor });
      for (const { appointmentId, version, serviceId, startsAt, endsAt, status } of page.items) {
        if (AFFECTED_STATUSES.has(status)) found.push({ appointmentId, version, serviceId, startsAt, endsAt });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }

  /** The colleagues who could take it, in order: the client's list, or everyone the service is booked with. */
  private async candidatesFor(appointment: AffectedAppointment, request: AbsenceRequest): Promise<CandidateFacts[]> {
    if (request.plan === 'cancel') return [];
    const service = await this.facts.service(appointment.serviceId);
    const mapped = Object.keys(service.calcomEventTypeIds ?? {});
    // A ledger without Cal.com may map nobody to the service: then every staff member offers it.
    const offering = mapped.length > 0 ? new Set(mapped) : new Set((await this.catalog.listStaff()).map((staff) => staff.staffId));
    const colleagues = (request.reassignTo ?? [...offering].sort()).filter((staffId) => staffId !== request.staffId);
    const found: CandidateFacts[] = [];
    for (const staffId of colleagues) found.push(await this.factsAbout(staffId, appointment, offering.has(staffId)));
    return found;
  }

  private async factsAbout(staffId: string, appointment: AffectedAppointment, offersService: boolean): Promise<CandidateFacts> {
    const { appointmentId, startsAt, endsAt, serviceId } = appointment;
    const absence = await this.presence.absenceDuring(staffId, startsAt, endsAt);
    const busyWith = await this.facts.overlappingWindow(staffId, startsAt, endsAt, appointmentId);
    const facts: CandidateFacts = { staffId, offersService, busyWith, absentIn: absence?.absenceId ?? null, calcom: { outcome: 'not-asked' } };
    // Cal.com is asked only about a colleague the ledger would give it to.
    if (!offersService || absence || busyWith.length > 0) return facts;
    try {
      const record = await this.slots.check({ staffId, serviceId, startsAt, appointmentId });
      if (record?.outcome === 'available') facts.calcom = { outcome: 'available' };
      if (record?.outcome === 'skipped') facts.calcom = { outcome: 'skipped', said: record.reason };
    } catch (error) {
      if (!(error instanceof CalcomSlotUnavailableError)) throw error;
      facts.calcom = { outcome: 'unavailable', said: String(error.details.calcomSaid) };
    }
    return facts;
  }
}

/** Over the request's own fields only (the real call's body carries more) and the plan's decisions. */
export const fingerprintOfPlan = ({ staffId, from, to, plan, reassignTo }: AbsenceRequest, steps: readonly PlanStep[]): string =>
  fingerprintOf({ staffId, from, to, plan, reassignTo: reassignTo ?? null, steps: planDecisions(steps) });
