import {
  type Appointment,
  type AppointmentEvent,
  appointmentStream,
  calcomSyncStream,
  type CalcomSyncEvent,
  type CalcomSyncState,
  type CalcomWebhook,
  type CatalogLookup,
  evolve,
  type ExistingAppointment,
  initialState,
  isCreateBySync,
  versionAfter,
  type WebhookTarget,
} from '#domain';
import { aggregateStream, type AggregateStreamOptions, type EventStore } from '#event-store';
import type { CalcomInboundQueries, CatalogQueries } from '#projections';
import { calcomSyncFold } from '../calcom-sync/calcom-sync.fold.js';
import { factEventIds, MAX_EVENTS_PER_STREAM } from './derived-id.js';

/** The uid chain index (`calcom_booking_uids`, kept by the sync's read model). */
export interface BookingUidIndex {
  appointmentIdForUid(uid: string): Promise<string | null>;
}

export interface LoadedTarget {
  target: WebhookTarget | null;
  /** The appointment's revision before any event this fact caused: where the fact's own events go. */
  appendAfterRevision: number;
  /** An earlier application of this fact (cut short by a crash) already wrote its appointment / sync events. */
  written: { appointment: boolean; sync: boolean };
}

/** Links this process made itself and the read model may not show yet; any entry stays true forever. */
const RECENT_LINKS_LIMIT = 10_000;

/**
 * Finds the appointment a fact is about, by the uid chain, the replaced uid, the ledger's own metadata, or as the
 * create the sync is making; then folds its appointment and sync streams as they stood before this fact did anything.
 */
export class WebhookTargetLoader {
  private readonly recentLinks = new Map<string, string>();
  private catalogRead: Promise<CatalogLookup> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly uids: BookingUidIndex,
    private readonly inbound: CalcomInboundQueries,
    private readonly catalogQueries: CatalogQueries,
  ) {}

  remember(uid: string, appointmentId: string): void {
    if (this.recentLinks.size >= RECENT_LINKS_LIMIT) this.recentLinks.clear();
    this.recentLinks.set(uid, appointmentId);
  }

  /** Read once per batch (see `forgetCatalog`): the catalog changes rarely, facts arrive by the hundred. */
  catalog(): Promise<CatalogLookup> {
    this.catalogRead ??= Promise.all([this.catalogQueries.listStaff(), this.catalogQueries.listServices()]).then(([staff, services]) => ({ staff, services }));
    this.catalogRead.catch(() => (this.catalogRead = null));
    return this.catalogRead;
  }

  forgetCatalog(): void {
    this.catalogRead = null;
  }

  /** By the uid chain (the new uid, then the replaced one), the ledger's own metadata, or as a create the sync is making. */
  async appointmentIdOf(webhook: CalcomWebhook, factId: string): Promise<string | null> {
    const created = webhook.triggerEvent === 'BOOKING_CREATED' || webhook.triggerEvent === 'BOOKING_REQUESTED';
    const email = webhook.attendees.find((attendee) => attendee.email)?.email;
    // Asked together: one round trip instead of two for the common case, a new booking.
    const [linked, candidates] = await Promise.all([
      Promise.all([webhook.bookingUid, webhook.rescheduleUid].map((uid) => (uid ? this.linkOf(uid) : Promise.resolve(null)))),
      created && !webhook.appointmentId && webhook.startsAt && email ? this.inbound.appointmentsAt(webhook.startsAt, email) : [],
    ]);
    const known = linked.find((appointmentId) => appointmentId);
    if (known) return known;
    if (webhook.appointmentId && (await this.load(webhook.appointmentId, factId)).target) return webhook.appointmentId;
    for (const candidate of candidates) {
      const { target } = await this.load(candidate, factId);
      if (target && isCreateBySync(target.sync, webhook)) return candidate;
    }
    return null;
  }

  private async linkOf(uid: string): Promise<string | null> {
    return this.recentLinks.get(uid) ?? this.uids.appointmentIdForUid(uid);
  }

  /** The appointment and its sync as they stood before this fact wrote anything (so a repeat decides the same). */
  async load(appointmentId: string, factId: string): Promise<LoadedTarget> {
    const [ledger, sync] = await Promise.all([
      aggregateStream(this.store, appointmentStream(appointmentId), appointmentBeforeFactFold(factId)),
      aggregateStream(this.store, calcomSyncStream(appointmentId), syncWithoutFactFold(factId)),
    ]);
    const { appointment, eventCount, ledgerChangedVersion, factWritten } = ledger.state;
    const loaded = { appendAfterRevision: eventCount - 1, written: { appointment: factWritten, sync: sync.state.factWritten } };
    if (appointment.status === 'initial') return { target: null, ...loaded };
    return {
      target: { appointmentId, appointment: appointment as ExistingAppointment, version: eventCount, ledgerChangedVersion, sync: sync.state.sync },
      ...loaded,
    };
  }
}

interface AppointmentBeforeFact {
  appointment: Appointment;
  /** The events before the fact's own first one. */
  eventCount: number;
  /** As the sync counts it: the version after the latest change that did not come from Cal.com. */
  ledgerChangedVersion: number;
  /** An earlier application wrote the fact's events: they, and whatever followed, are not folded. */
  factWritten: boolean;
}

function appointmentBeforeFactFold(factId: string): AggregateStreamOptions<AppointmentBeforeFact, AppointmentEvent> {
  const ownFirst = factEventIds.appointment(factId, 0);
  return {
    initialState: () => ({ appointment: initialState(), eventCount: 0, ledgerChangedVersion: 0, factWritten: false }),
    evolve: (before, event) => {
      if (before.factWritten || event.id === ownFirst) return { ...before, factWritten: true };
      return {
        appointment: evolve(before.appointment, event),
        eventCount: before.eventCount + 1,
        ledgerChangedVersion: event.metadata.source === 'calcom' ? before.ledgerChangedVersion : versionAfter(event.revision),
        factWritten: false,
      };
    },
  };
}

interface SyncWithoutFact {
  sync: CalcomSyncState;
  /** An earlier application wrote the fact's own sync events: they are left out of the fold. */
  factWritten: boolean;
}

function syncWithoutFactFold(factId: string): AggregateStreamOptions<SyncWithoutFact, CalcomSyncEvent> {
  const own = new Set(Array.from({ length: MAX_EVENTS_PER_STREAM }, (_, index) => factEventIds.sync(factId, index)));
  return {
    initialState: () => ({ sync: calcomSyncFold.initialState(), factWritten: false }),
    evolve: (folded, event) => (own.has(event.id) ? { ...folded, factWritten: true } : { ...folded, sync: calcomSyncFold.evolve(folded.sync, event) }),
  };
}
