import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appointmentWhen, factFor, startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 10, item 1 (inbound): a customer's reschedule of a booking whose event type requires confirmation arrives as
 * BOOKING_REQUESTED with rescheduleUid; the host's confirm as BOOKING_CREATED, a decline as BOOKING_REJECTED, both
 * for the new uid. The webhooks are posted signed, built from Cal.com's own bodies (the reference examples).
 */
const SECRET = 'whsec_requested_test';
let database: TestDatabase | undefined;
let file: LedgerWithSandbox;
const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };
const examples = new URL('../../apps/calcom-sandbox/reference/webhook-examples/', import.meta.url);
const reference = (name: string) => JSON.parse(readFileSync(new URL(name, examples), 'utf8'));
const thirtyMinutesAfter = (start: string) => new Date(Date.parse(start) + 30 * 60_000).toISOString();

let poster: CalcomWebhookPoster;
beforeAll(async () => {
  database = await createTestDatabase('requested');
  file = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  poster = new CalcomWebhookPoster(`${file.admin.baseUrl}/webhooks/calcom`, SECRET);
});
afterAll(async () => {
  await file?.ledger.close();
  await database?.drop();
});

/** Cal.com's body for that trigger, with this booking's dynamic fields filled in (the rest as Cal.com sends it). */
function body(trigger: 'BOOKING_REQUESTED' | 'BOOKING_REJECTED' | 'BOOKING_CREATED', fields: { uid: string; start: string; rescheduleUid?: string }) {
  const example = reference(trigger === 'BOOKING_REJECTED' ? 'booking-rejected.e2e-expected.json' : 'booking-requested.e2e-expected.json');
  const status = { BOOKING_REQUESTED: 'PENDING', BOOKING_REJECTED: 'REJECTED', BOOKING_CREATED: 'ACCEPTED' }[trigger];
  return {
    ...example,
    triggerEvent: trigger,
    createdAt: new Date().toISOString(),
    payload: {
      ...example.payload,
      startTime: fields.start,
      endTime: thirtyMinutesAfter(fields.start),
      organizer: { id: 1, name: 'Olivia', email: 'olivia@sandbox.example', timeZone: 'Europe/Berlin', language: { locale: 'en' } },
      attendees: [{ ...ann, language: { locale: 'en' } }],
      responses: { email: { value: ann.email, label: 'email_address' }, name: { value: ann.name, label: 'your_name' } },
      location: 'integrations:daily',
      requiresConfirmation: true,
      eventTypeId: 101,
      uid: fields.uid,
      bookingId: Math.floor(Math.random() * 1e9),
      status,
      additionalInformation: {},
      metadata: {},
      ...(fields.rescheduleUid ? { rescheduleUid: fields.rescheduleUid } : {}),
    },
  };
}

async function post(payload: object): Promise<void> {
  const response = await poster.post(payload);
  expect(response.status).toBe(200);
}

/** A booking the customer made on the sandbox, as the ledger holds it. */
async function booked(hour: number) {
  const booking = await file.customer.book(101, slot(hour), ann);
  const { appointmentId } = await factFor(file.admin, booking.uid, 'BOOKING_CREATED', 'applied');
  await appointmentWhen(file.admin, appointmentId!, (found) => expect(found.calcom.syncStatus).toBe('synced'));
  return { ...booking, appointmentId: appointmentId! };
}

describe('a reschedule Cal.com holds for the host to confirm', () => {
  it('lands at the new time with the new uid, requested; the confirm makes it scheduled; redeliveries change nothing', async () => {
    const old = await booked(1);
    const newUid = `requested-${randomUUID()}`;
    const request = body('BOOKING_REQUESTED', { uid: newUid, start: slot(3), rescheduleUid: old.uid });
    await post(request);
    await factFor(file.admin, newUid, 'BOOKING_REQUESTED', 'applied');
    const requested = await appointmentWhen(file.admin, old.appointmentId, (found) => {
      expect(found).toMatchObject({ status: 'requested', startsAt: slot(3), endsAt: thirtyMinutesAfter(slot(3)) });
      expect(found.calcom).toMatchObject({ bookingUid: newUid, bookingUids: [old.uid, newUid] });
    });

    // The same bytes again (a duplicate) and the same news in new bytes (Cal.com's retry carries a new createdAt).
    await post(request);
    await post({ ...request, createdAt: new Date(Date.now() + 1000).toISOString() });
    await eventuallyOutcomes(newUid, 2);

    const confirm = body('BOOKING_CREATED', { uid: newUid, start: slot(3) });
    await post(confirm);
    await factFor(file.admin, newUid, 'BOOKING_CREATED', 'applied');
    const confirmed = await appointmentWhen(file.admin, old.appointmentId, (found) => {
      expect(found).toMatchObject({ status: 'scheduled', startsAt: slot(3), version: requested.version + 1 });
      expect(found.calcom.bookingUid).toBe(newUid);
    });
    await post({ ...confirm, createdAt: new Date(Date.now() + 2000).toISOString() });
    await post({ ...request, createdAt: new Date(Date.now() + 3000).toISOString() });
    await eventuallyOutcomes(newUid, 5);
    const after = await appointmentWhen(file.admin, old.appointmentId, (found) => expect(found.status).toBe('scheduled'));
    expect(after.version).toBe(confirmed.version);
    expect(after.startsAt).toBe(slot(3));
    // No second appointment was made for the new uid.
    const listed = await file.admin.get(`/appointments?from=${encodeURIComponent(slot(0))}&to=${encodeURIComponent(slot(4))}`);
    expect(
      listed.body.items.filter((item: { customer: { email: string } }) => item.customer.email === ann.email).map((item: { appointmentId: string }) => item.appointmentId),
    ).toEqual([old.appointmentId]);
  });

  it('declined: the appointment is rejected (at the time that was asked for); a redelivered decline changes nothing', async () => {
    const old = await booked(5);
    const newUid = `declined-${randomUUID()}`;
    await post(body('BOOKING_REQUESTED', { uid: newUid, start: slot(7), rescheduleUid: old.uid }));
    await appointmentWhen(file.admin, old.appointmentId, (found) => expect(found).toMatchObject({ status: 'requested', startsAt: slot(7) }));
    const decline = body('BOOKING_REJECTED', { uid: newUid, start: slot(7) });
    await post(decline);
    await factFor(file.admin, newUid, 'BOOKING_REJECTED', 'applied');
    const rejected = await appointmentWhen(file.admin, old.appointmentId, (found) => {
      expect(found).toMatchObject({ status: 'rejected', startsAt: slot(7) });
      expect(found.calcom.bookingUids).toEqual([old.uid, newUid]);
    });
    await post({ ...decline, createdAt: new Date(Date.now() + 1000).toISOString() });
    await eventuallyOutcomes(newUid, 3);
    const after = await appointmentWhen(file.admin, old.appointmentId, (found) => expect(found.status).toBe('rejected'));
    expect(after.version).toBe(rejected.version);
  });

  it('out of order: the confirm before the request ends scheduled at the new time; the late request is an echo', async () => {
    const old = await booked(9);
    const newUid = `reordered-${randomUUID()}`;
    // A booking carries fromReschedule; Cal.com's confirm of a reschedule names the booking it replaces.
    const confirm = body('BOOKING_CREATED', { uid: newUid, start: slot(11) });
    await post({ ...confirm, payload: { ...confirm.payload, fromReschedule: old.uid } });
    await factFor(file.admin, newUid, 'BOOKING_CREATED', 'applied');
    await post(body('BOOKING_REQUESTED', { uid: newUid, start: slot(11), rescheduleUid: old.uid }));
    const late = await factFor(file.admin, newUid, 'BOOKING_REQUESTED');
    expect(late.outcome).toBe('echo');
    const found = await appointmentWhen(file.admin, old.appointmentId, (appointment) => expect(appointment).toMatchObject({ status: 'scheduled', startsAt: slot(11) }));
    expect(found.calcom).toMatchObject({ bookingUid: newUid, bookingUids: [old.uid, newUid] });
  });

  it('a request that replaces a booking nobody knows waits as an orphan and schedules nothing', async () => {
    const newUid = `unknown-${randomUUID()}`;
    await post(body('BOOKING_REQUESTED', { uid: newUid, start: slot(13), rescheduleUid: `never-seen-${randomUUID()}` }));
    const fact = await factFor(file.admin, newUid, 'BOOKING_REQUESTED');
    expect(fact).toMatchObject({ outcome: 'orphan', appointmentId: null });
  });

  it('hostile uids: a request naming __proto__ waits as an orphan; one whose uid holds a NUL byte changes nothing', async () => {
    const old = await booked(15);
    const protoUid = `proto-${randomUUID()}`;
    await post(body('BOOKING_REQUESTED', { uid: protoUid, start: slot(16), rescheduleUid: '__proto__' }));
    expect(await factFor(file.admin, protoUid, 'BOOKING_REQUESTED')).toMatchObject({ outcome: 'orphan', appointmentId: null });
    const response = await poster.post(body('BOOKING_REQUESTED', { uid: 'nul\u0000uid', start: slot(17), rescheduleUid: old.uid }));
    expect(response.status).toBeLessThan(500);
    const marker = `marker-${randomUUID()}`;
    await post(body('BOOKING_REQUESTED', { uid: marker, start: slot(18), rescheduleUid: `never-seen-${randomUUID()}` }));
    await factFor(file.admin, marker, 'BOOKING_REQUESTED');
    const found = await appointmentWhen(file.admin, old.appointmentId, (appointment) => expect(appointment.status).toBe('scheduled'));
    expect(found).toMatchObject({ startsAt: slot(15), version: 1 });
    expect(found.calcom.bookingUids).toEqual([old.uid]);
  });
});

/** Every delivery about that uid has been given an outcome (and there are `count` of them). */
async function eventuallyOutcomes(uid: string, count: number): Promise<void> {
  await eventually(async () => {
    const { body: facts } = await file.admin.get('/webhooks/calcom/facts?limit=500');
    const about = facts.items.filter((item: { bookingUid: string }) => item.bookingUid === uid);
    expect(about).toHaveLength(count);
    for (const item of about) expect(item.outcome).toBeTruthy();
  });
}

describe("the sandbox's confirmation-required event type, driven for real (customer, host confirm and decline)", () => {
  /** The sandbox as Cal.com with an event type of Olivia's that requires confirmation, mapped to a service. */
  async function optInType(): Promise<number> {
    const sandbox = async (method: string, path: string, payload?: unknown): Promise<any> => {
      const response = await fetch(`${file.sandboxUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      expect(response.status).toBe(200);
      return response.json();
    };
    const catalog = await sandbox('GET', '/_sandbox/catalog');
    if (!catalog.eventTypes.some((type: { id: number }) => type.id === 201)) {
      const optIn = { id: 201, slug: 'opt-in-30', title: 'Opt in', lengthInMinutes: 30, ownerId: 1, schedulingType: null, requiresConfirmation: true };
      await sandbox('PUT', '/_sandbox/catalog', { ...catalog, eventTypes: [...catalog.eventTypes, optIn] });
      expect((await file.admin.put('/services/opt-in', { name: 'Opt in', durationMinutes: 30, calcomEventTypeIds: { olivia: 201 } })).status).toBeLessThan(300);
    }
    return 201;
  }
  const host = (uid: string, action: 'confirm' | 'decline') =>
    fetch(`${file.sandboxUrl}/_sandbox/bookings/${uid}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action === 'decline' ? { reason: 'Fully booked' } : {}),
    });

  it('a confirmed booking moved by the customer is requested at the new time; the confirm schedules it, a decline of the next move rejects it', async () => {
    const eventTypeId = await optInType();
    const first = await file.customer.book(eventTypeId, slot(20), ann);
    const { appointmentId } = await factFor(file.admin, first.uid, 'BOOKING_REQUESTED', 'applied');
    expect((await host(first.uid, 'confirm')).status).toBe(200);
    await appointmentWhen(file.admin, appointmentId!, (found) => expect(found).toMatchObject({ status: 'scheduled', startsAt: slot(20) }));

    const moved = await file.customer.reschedule(first.uid, slot(22));
    await factFor(file.admin, moved.uid, 'BOOKING_REQUESTED', 'applied');
    await appointmentWhen(file.admin, appointmentId!, (found) => {
      expect(found).toMatchObject({ status: 'requested', startsAt: slot(22) });
      expect(found.calcom).toMatchObject({ bookingUid: moved.uid, bookingUids: [first.uid, moved.uid] });
    });
    expect((await host(moved.uid, 'confirm')).status).toBe(200);
    await factFor(file.admin, moved.uid, 'BOOKING_CREATED', 'applied');
    await appointmentWhen(file.admin, appointmentId!, (found) => expect(found).toMatchObject({ status: 'scheduled', startsAt: slot(22) }));

    const again = await file.customer.reschedule(moved.uid, slot(24));
    await factFor(file.admin, again.uid, 'BOOKING_REQUESTED', 'applied');
    expect((await host(again.uid, 'decline')).status).toBe(200);
    await factFor(file.admin, again.uid, 'BOOKING_REJECTED', 'applied');
    await appointmentWhen(file.admin, appointmentId!, (found) => {
      expect(found).toMatchObject({ status: 'rejected', startsAt: slot(24) });
      expect(found.calcom.bookingUids).toEqual([first.uid, moved.uid, again.uid]);
    });
    // The ledger called Cal.com for none of the customer's or the host's changes.
    const state = await file.customer.state();
    expect(state.mutations.filter((mutation) => [first.uid, moved.uid, again.uid].includes(mutation.uid) && mutation.via === 'api')).toEqual([]);
  });
});
