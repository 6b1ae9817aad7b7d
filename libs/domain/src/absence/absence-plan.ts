import type { AbsencePlanKind } from './staff-absence.events.js';

/** An appointment of the absent staff member inside the absence, as the plan found it. */
export interface AffectedAppointment {
  appointmentId: string;
  /** The appointment's version when planned: the real call carries the step out only on that version. */
  version: number;
  serviceId: string;
  startsAt: string;
  endsAt: string;
}

/** What the planner learned about one colleague for one appointment (the ledger, their absences, Cal.com). */
export interface CandidateFacts {
  staffId: string;
  /** Whether the service is booked with them (a Cal.com event type for them, or no mapping at all). */
  offersService: boolean;
  /** The colleague's own appointments overlapping that time. */
  busyWith: readonly string[];
  /** The colleague's absence at that time, if any. */
  absentIn: string | null;
  /** Cal.com's answer for the colleague's event type at that time. */
  calcom: { outcome: 'available' | 'not-asked' | 'skipped' | 'unavailable'; said?: string };
}

export type PlanStep = AffectedAppointment & ({ action: 'reassign'; toStaffId: string; why: string } | { action: 'cancel'; toStaffId: null; why: string });

export interface PlanDifference {
  appointmentId: string;
  planned: PlanStep | null;
  now: PlanStep | null;
}

/**
 * The plan for an absence: each affected appointment, in start order, goes to the first colleague (in the order
 * given) who is free in the ledger, not absent, and offered the slot by Cal.com (or not asked), and who this plan has
 * not already given an overlapping appointment; with nobody free, or with the plan `cancel`, it is cancelled.
 */
export function planAbsence(
  kind: AbsencePlanKind,
  affected: readonly AffectedAppointment[],
  candidatesFor: (appointment: AffectedAppointment) => readonly CandidateFacts[],
): PlanStep[] {
  const given = new Map<string, AffectedAppointment[]>();
  const ordered = [...affected].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.appointmentId.localeCompare(b.appointmentId));
  return ordered.map((appointment): PlanStep => {
    if (kind === 'cancel') return { ...appointment, action: 'cancel', toStaffId: null, why: 'The absence is planned as cancel' };
    const refusals: string[] = [];
    for (const candidate of candidatesFor(appointment)) {
      const alreadyGiven = (given.get(candidate.staffId) ?? []).filter((other) => overlaps(other, appointment)).map((other) => other.appointmentId);
      const refusal = whyNot(candidate, alreadyGiven);
      if (refusal) {
        refusals.push(`${candidate.staffId}: ${refusal}`);
        continue;
      }
      given.set(candidate.staffId, [...(given.get(candidate.staffId) ?? []), appointment]);
      return { ...appointment, action: 'reassign', toStaffId: candidate.staffId, why: whyThem(candidate) };
    }
    const why = refusals.length === 0 ? 'No colleague offers this service' : `No colleague is free at that time (${refusals.join('; ')})`;
    return { ...appointment, action: 'cancel', toStaffId: null, why };
  });
}

/** What a plan decides, without its explanations (Cal.com's wording may change while its answer does not). */
export const planDecisions = (steps: readonly PlanStep[]) =>
  steps.map(({ appointmentId, version, serviceId, startsAt, endsAt, action, toStaffId }) => ({ appointmentId, version, serviceId, startsAt, endsAt, action, toStaffId }));

/** Appointment by appointment, where two plans decide differently (missing on one side, or another step). */
export function planDifferences(planned: readonly PlanStep[], now: readonly PlanStep[]): PlanDifference[] {
  const before = new Map(planned.map((step) => [step.appointmentId, step]));
  const after = new Map(now.map((step) => [step.appointmentId, step]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  return ids
    .map((appointmentId) => ({ appointmentId, planned: before.get(appointmentId) ?? null, now: after.get(appointmentId) ?? null }))
    .filter(({ planned: a, now: b }) => !a || !b || JSON.stringify(planDecisions([a])) !== JSON.stringify(planDecisions([b])));
}

function whyNot(candidate: CandidateFacts, alreadyGiven: readonly string[]): string | null {
  if (!candidate.offersService) return 'does not offer the service';
  if (candidate.absentIn) return `absent (absence ${candidate.absentIn})`;
  if (candidate.busyWith.length > 0) return `busy with ${candidate.busyWith.join(', ')}`;
  if (alreadyGiven.length > 0) return `takes over ${alreadyGiven.join(', ')} at that time in this plan`;
  if (candidate.calcom.outcome === 'unavailable') return `Cal.com has no slot (${candidate.calcom.said ?? 'no reason given'})`;
  return null;
}

function whyThem(candidate: CandidateFacts): string {
  const calcom = {
    available: 'Cal.com offers the slot',
    'not-asked': 'Cal.com was not asked (no event type for them)',
    skipped: `Cal.com could not be asked (${candidate.calcom.said ?? 'unreachable'})`,
    unavailable: '',
  }[candidate.calcom.outcome];
  return `${candidate.staffId} offers the service, is free then in the ledger, and ${calcom}`;
}

const overlaps = (a: AffectedAppointment, b: AffectedAppointment): boolean => Date.parse(a.startsAt) < Date.parse(b.endsAt) && Date.parse(b.startsAt) < Date.parse(a.endsAt);
