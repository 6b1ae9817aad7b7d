import {
  type AppointmentEvent,
  appointmentStream,
  calcomSyncStream,
  type CalcomSyncEvent,
  type CalcomWebhook,
  type CatalogSnapshot,
  evolve,
  evolveCalcomSync,
  type ExistingAppointment,
  initialCalcomSyncState,
  initialState,
  isCreateBySync,
  versionAfter,
  type WebhookTarget,
} from '../../../../libs/domain/src/index.js';
import type { EventStore, RecordedEvent } from '../../../../libs/event-store/src/event-store.port.js';
import type { CalcomInboundQueries } from '../../../../projections/src/calcom-inbound.queries.js';
import type { CatalogQueries } from '../../../../projections/src/catalog.queries.js';
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
  private catalogRead: Promise<CatalogSnapshot> | null = null;

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
  catalog(): Promise<CatalogSnapshot> {
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
      Promise.all([webhook.bookingUid, webhook.rescheduleUid].map((uid) => (uid ? this.linkOf(uid) : null))),
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
    const [appointmentEvents, syncEvents] = await Promise.all([
      this.store.readStream(appointmentStream(appointmentId)),
      this.store.readStream(calcomSyncStream(appointmentId)),
    ]);
    const ownFirst = appointmentEvents.findIndex((event) => event.id === factEventIds.appointment(factId, 0));
    const before = ownFirst === -1 ? appointmentEvents : appointmentEvents.slice(0, ownFirst);
    const appointment = before.reduce((state, event) => evolve(state, event as unknown as AppointmentEvent), initialState());
    const ownSync = new Set(Array.from({ length: MAX_EVENTS_PER_STREAM }, (_, index) => factEventIds.sync(factId, index)));
    const otherSync = syncEvents.filter((event) => !ownSync.has(event.id));
    const sync = otherSync.reduce((state, event) => evolveCalcomSync(state, event as unknown as CalcomSyncEvent, event.recordedAt), initialCalcomSyncState());
    const loaded = { appendAfterRevision: before.length - 1, written: { appointment: ownFirst !== -1, sync: otherSync.length < syncEvents.length } };
    if (appointment.status === 'initial') return { target: null, ...loaded };
    return {
      target: { appointmentId, appointment: appointment as ExistingAppointment, version: before.length, ledgerChangedVersion: ledgerChangedVersion(before), sync },
      ...loaded,
    };
  }
}

/** As the sync counts it: the version after the latest change that did not come from Cal.com. */
function ledgerChangedVersion(events: readonly RecordedEvent[]): number {
  for (let index = events.length - 1; index >= 0; index--) if (events[index].metadata.source !== 'calcom') return versionAfter(events[index].revision);
  return 0;
}
