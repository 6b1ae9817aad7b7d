import { randomUUID } from 'node:crypto';
import type { SandboxCatalog } from '#calcom-sandbox';
import { appointmentStream, calcomSyncStream, serviceStream, staffStream, type BookingCopy } from '#domain';
import type { EventMetadata, EventStore } from '#event-store';

/** Hosts in the bench's Cal.com, each with one 30-minute event type: 250 bookings each fit easily in the window. */
export const BENCH_HOSTS = 40;
const SLOT_MS = 30 * 60_000;

export function benchCatalog(): SandboxCatalog {
  const users = Array.from({ length: BENCH_HOSTS }, (_, i) => ({
    id: i + 1,
    name: `Host ${i + 1}`,
    email: `host${i + 1}@bench.example`,
    username: `host${i + 1}`,
    timeZone: 'UTC',
  }));
  const eventTypes = users.map((user) => ({ id: 1000 + user.id, slug: `visit-${user.id}`, title: 'Visit', lengthInMinutes: 30, ownerId: user.id, schedulingType: null }));
  return { users, eventTypes };
}

export interface SeededBooking {
  appointmentId: string;
  uid: string;
  start: string;
  end: string;
  hostUserId: number;
  eventTypeId: number;
}

/**
 * `count` bookings made on the sandbox through its customer lever, spread over the hosts and the next `days`
 * days from tomorrow, each with the appointment id the sync would have written in its metadata.
 */
export async function seedBookings(sandboxUrl: string, count: number, days: number, concurrency = 16): Promise<SeededBooking[]> {
  const perHost = Math.ceil(count / BENCH_HOSTS);
  const firstSlot = Math.ceil(Date.now() / 86_400_000 + 1) * 86_400_000;
  const spacing = Math.max(SLOT_MS, Math.floor(((days - 2) * 86_400_000) / perHost / SLOT_MS) * SLOT_MS);
  const seeded: SeededBooking[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const host = (index % BENCH_HOSTS) + 1;
      const start = new Date(firstSlot + Math.floor(index / BENCH_HOSTS) * spacing).toISOString();
      const appointmentId = randomUUID();
      const response = await fetch(`${sandboxUrl}/_sandbox/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          eventTypeId: 1000 + host,
          start,
          attendee: { name: `Guest ${index}`, email: `guest${index}@bench.example`, timeZone: 'UTC' },
          metadata: { appointmentId },
        }),
      });
      if (!response.ok) throw new Error(`seeding booking ${index}: ${response.status} ${await response.text()}`);
      const booking = (await response.json()) as { uid: string; start: string; end: string };
      seeded[index] = { appointmentId, uid: booking.uid, start: booking.start, end: booking.end, hostUserId: host, eventTypeId: 1000 + host };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return seeded;
}

/** The ledger's side, in step with Cal.com: the catalog, and per booking an appointment plus the sync's record of it. */
export async function seedLedger(store: EventStore, bookings: readonly SeededBooking[], concurrency = 16): Promise<void> {
  const metadata = (source: EventMetadata['source']): EventMetadata => ({ actor: 'bench', source, correlationId: randomUUID(), causationId: null });
  const staffIds = Array.from({ length: BENCH_HOSTS }, (_, i) => `host-${i + 1}`);
  for (const [i, staffId] of staffIds.entries()) {
    await store.appendToStream(staffStream(staffId), [
      { id: randomUUID(), type: 'StaffMemberSaved', data: { staffId, name: staffId, email: `${staffId}@bench.example`, calcomUserId: i + 1 }, metadata: metadata('admin') },
    ]);
  }
  const calcomEventTypeIds = Object.fromEntries(staffIds.map((staffId, i) => [staffId, 1001 + i]));
  await store.appendToStream(serviceStream('visit'), [
    { id: randomUUID(), type: 'ServiceSaved', data: { serviceId: 'visit', name: 'Visit', durationMinutes: 30, calcomEventTypeIds }, metadata: metadata('admin') },
  ]);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < bookings.length; index = next++) {
      const booking = bookings[index];
      const { appointmentId } = booking;
      const scheduled = {
        appointmentId,
        serviceId: 'visit',
        staffId: `host-${booking.hostUserId}`,
        startsAt: new Date(booking.start).toISOString(),
        endsAt: new Date(booking.end).toISOString(),
        customer: { name: `Guest ${index}`, email: `guest${index}@bench.example`, timeZone: 'UTC', phone: null },
        notes: null,
      };
      await store.appendToStream(appointmentStream(appointmentId), [{ id: randomUUID(), type: 'AppointmentScheduled', data: scheduled, metadata: metadata('admin') }]);
      const snapshot: BookingCopy = {
        uid: booking.uid,
        start: booking.start,
        end: booking.end,
        eventTypeId: booking.eventTypeId,
        hostUserId: booking.hostUserId,
        status: 'accepted',
        rescheduledFromUid: null,
        rescheduledToUid: null,
      };
      await store.appendToStream(calcomSyncStream(appointmentId), [
        { id: randomUUID(), type: 'CalcomBookingObserved', data: { appointmentId, booking: snapshot, via: 'api', factId: null }, metadata: metadata('sync') },
        { id: randomUUID(), type: 'CalcomSyncCompleted', data: { appointmentId, ledgerVersion: 1, bookingUid: booking.uid }, metadata: metadata('sync') },
      ]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
