import type { AppointmentEvent } from '../appointment/appointment.events.js';
import type { Workflow } from '../decider.js';
import { lastRevisionAt } from '../stream-version.js';
import type { BookingCopy } from '../sync/calcom-sync.events.js';
import { adoptBooking, appointmentFromBooking } from './adopt-booking.js';
import { CatalogIndex, isBookingActive, isLedgerActive } from './drift-sides.js';
import type { DriftHealPolicy, DriftKeep } from './drift.events.js';
import type { CalcomSide, DriftCatalog, DriftItem, LedgerSide } from './drift.types.js';

/**
 * What healing one drift item appends, and nothing else: the reconciler never calls Cal.com to change it.
 * Keeping the ledger tells the sync process manager what Cal.com really shows (an observation) and asks it to try
 * again, so its level comparison brings the booking to the ledger. Keeping Cal.com appends Cal.com's levels to the
 * appointment (`source: "reconciler"`), after the same observation, so the manager finds nothing left to do.
 */
export interface HealSteps {
  appointmentId: string;
  /** The appointment does not exist yet: its stream is written with `no_stream`. */
  newAppointment: boolean;
  /** `CalcomBookingObserved {via: "reconciler"}` for `calcomsync-<appointmentId>`, appended first. */
  observe: BookingCopy | null;
  /** For `appointment-<appointmentId>`, at the revision the check saw (a change since makes the heal fail safely). */
  events: AppointmentEvent[];
  expectedRevision: number | null;
  /** `CalcomSyncRetryRequested` after the rest. */
  retry: boolean;
}

export type HealDecision = { ok: true; steps: HealSteps } | { ok: false; reason: string };

/** The id a booking only Cal.com knows gets in the ledger: the same booking always makes the same appointment. */
export const appointmentIdForBooking = (uid: string): string => `calcom-${uid}`;

export function planHeal(item: DriftItem, keep: DriftKeep, catalog: DriftCatalog): HealDecision {
  if (item.kind === 'pending') return refuse('the sync still has work to do for it; it is not drift');
  if (item.calcom?.status === 'unknown') return refuse(`booking ${item.calcom.uid} could not be read; check again`);
  const index = new CatalogIndex(catalog);
  if (!item.ledger) return item.calcom ? healUnknownBooking(item.calcom, keep, index) : refuse('nothing to heal');
  const ledger = item.ledger;
  const observe = snapshotOf(item.calcom, ledger);
  if (keep === 'ledger') {
    if (ledger.expectedHostUserId === null || ledger.expectedEventTypeId === null) return refuse('the catalog does not map this appointment to Cal.com');
    return ok({ appointmentId: ledger.appointmentId, newAppointment: false, observe, events: [], expectedRevision: lastRevisionAt(ledger.version), retry: true });
  }
  if (item.kind === 'unmapped') return refuse('the catalog cannot represent what Cal.com has');
  const adoption = adoptBooking(ledger, item.calcom, index);
  if (adoption.unresolved.length) return refuse(adoption.unresolved.join('; '));
  return ok({ appointmentId: ledger.appointmentId, newAppointment: false, observe, events: adoption.events, expectedRevision: lastRevisionAt(ledger.version), retry: false });
}

/** A booking no appointment knows: Cal.com wins → a new appointment; the ledger wins → one it cancels, so the sync cancels the booking. */
function healUnknownBooking(booking: CalcomSide, keep: DriftKeep, catalog: CatalogIndex): HealDecision {
  const appointmentId = appointmentIdForBooking(booking.uid);
  const events = appointmentFromBooking(appointmentId, booking, catalog);
  if (!events) return refuse('the catalog cannot represent what Cal.com has');
  const observe = snapshotOf(booking, null);
  if (keep === 'calcom') return ok({ appointmentId, newAppointment: true, observe, events, expectedRevision: null, retry: false });
  const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId, reason: 'Not in the ledger: cancelled on Cal.com by the reconciler (ledger wins)' } };
  return ok({ appointmentId, newAppointment: true, observe, events: [events[0], cancelled], expectedRevision: null, retry: true });
}

/** What healing one item is asked for: the side to keep, and the catalog that maps the two sides onto each other. */
export interface DriftHealInput {
  keep: DriftKeep;
  catalog: DriftCatalog;
}

/** Healing as a workflow: its state is the item as the check found it (both sides), its output what to append. */
export const driftHealWorkflow: Workflow<DriftHealInput, DriftItem, HealDecision> = {
  decide: ({ keep, catalog }, item) => planHeal(item, keep, catalog),
};

/**
 * Whether healing the item creates or cancels a booking or an appointment (one side active, the other not),
 * or replaces a booking (a new event type on Cal.com is a cancel and a create): what the automatic guard counts.
 */
export function createsOrCancels(item: DriftItem, keep: DriftKeep): boolean {
  const ledgerActive = item.ledger ? isLedgerActive(item.ledger.status) : false;
  const calcomActive = item.calcom ? isBookingActive(item.calcom.status) : false;
  return ledgerActive !== calcomActive || (keep === 'ledger' && item.kind === 'event_type_mismatch');
}

export interface AutomaticHealPlan {
  keep: DriftKeep | null;
  /** One item per appointment (or unknown booking): healing is per appointment, whichever of its items is picked. */
  heal: { item: DriftItem; steps: HealSteps }[];
  skipped: { item: DriftItem; reason: string }[];
  bookingChanges: number;
  /** True when the plan would create or cancel more than `max`: then nothing is healed and a person is told. */
  blocked: boolean;
}

export function planAutomaticHeal(items: readonly DriftItem[], policy: DriftHealPolicy, max: number, catalog: DriftCatalog): AutomaticHealPlan {
  if (policy === 'report') return { keep: null, heal: [], skipped: [], bookingChanges: 0, blocked: false };
  const keep: DriftKeep = policy === 'ledger-wins' ? 'ledger' : 'calcom';
  const heal: AutomaticHealPlan['heal'] = [];
  const skipped: AutomaticHealPlan['skipped'] = [];
  const planned = new Map<string, boolean>();
  for (const item of items) {
    const decision = planHeal(item, keep, catalog);
    if (!decision.ok) {
      skipped.push({ item, reason: decision.reason });
      continue;
    }
    const key = decision.steps.appointmentId;
    planned.set(key, (planned.get(key) ?? false) || createsOrCancels(item, keep));
    if (heal.some((entry) => entry.steps.appointmentId === key)) continue;
    heal.push({ item, steps: decision.steps });
  }
  const bookingChanges = [...planned.values()].filter(Boolean).length;
  const blocked = bookingChanges > max;
  return { keep, heal: blocked ? [] : heal, skipped, bookingChanges, blocked };
}

/** What the sync should take as Cal.com's booking now; a booking that vanished is taken as cancelled. */
function snapshotOf(calcom: CalcomSide | null, ledger: LedgerSide | null): BookingCopy | null {
  if (calcom && calcom.start && calcom.end && calcom.eventTypeId !== null) {
    return {
      uid: calcom.uid,
      start: calcom.start,
      end: calcom.end,
      eventTypeId: calcom.eventTypeId,
      hostUserId: calcom.hostUserId,
      status: calcom.status,
      rescheduledFromUid: calcom.rescheduledFromUid,
      rescheduledToUid: calcom.rescheduledToUid,
    };
  }
  if (!ledger?.bookingUid) return null;
  return {
    uid: ledger.bookingUid,
    start: ledger.startsAt,
    end: ledger.endsAt,
    eventTypeId: ledger.expectedEventTypeId ?? 0,
    hostUserId: ledger.expectedHostUserId,
    status: 'cancelled',
    rescheduledFromUid: null,
    rescheduledToUid: null,
  };
}

const ok = (steps: HealSteps): HealDecision => ({ ok: true, steps });
const refuse = (reason: string): HealDecision => ({ ok: false, reason });
