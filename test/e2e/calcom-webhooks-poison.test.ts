import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { signCalcomWebhook } from '#calcom';
import { calcomWebhookStream } from '#domain';
import { openEventStore, type OpenedEventStore } from '#event-store';
import { factFor, startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { eventually } from '../support/eventually.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Hostile and poison webhooks: none may halt the inbound side. Each case stores (or tries to store) its poison, then
 * shows the rest moving on: a later booking is applied, the process is up, /health is 200, no prototype is polluted.
 */
const SECRET = 'whsec_poison_test';
const FORM = 'application/x-www-form-urlencoded';

let database: TestDatabase;
let db: pg.Client;
let events: OpenedEventStore;
let running: LedgerWithSandbox;
let calcom: CalcomWebhookPoster;
let bookings = 0;

async function start(): Promise<void> {
  running = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  calcom = new CalcomWebhookPoster(`${running.ledger.url}/webhooks/calcom`, SECRET);
}

beforeAll(async () => {
  database = await createTestDatabase('poison');
  db = new pg.Client(database.url);
  await db.connect();
  await start();
  events = await openEventStore({ postgresUrl: database.url });
});

afterAll(async () => {
  await running?.ledger.close();
  await events?.close();
  await db?.end();
  await database?.drop();
});

const ledger = (): RunningLedger => running.ledger;

async function storedBodies(): Promise<string[]> {
  const { rows } = await db.query("SELECT data->>'body' AS body FROM events WHERE type = 'CalcomWebhookReceived'");
  return rows.map((row: { body: string }) => row.body);
}

function expectNoPollution(): void {
  for (const key of ['x', 'y', 'z', 'polluted']) expect(({} as Record<string, unknown>)[key]).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(Object.getOwnPropertyNames(Object.getPrototypeOf({})).sort());
  expect(Object.prototype).not.toHaveProperty('polluted');
}

/** The rest of the system after a poison: a new booking on Cal.com becomes an appointment, health is fine. */
async function systemMovesOn(): Promise<void> {
  expectNoPollution();
  const booking = await running.customer.book(101, slot(40 + bookings++), { name: 'Later Customer', email: `later${bookings}@example.com`, timeZone: 'UTC' });
  await factFor(running.admin, booking.uid, 'BOOKING_CREATED', 'applied', 20_000);
  const health = await fetch(`${ledger().url}/health`);
  expect(health.status).toBe(200);
  expectNoPollution();
}

/** Stores a delivery the way the intake does (as a fact stored before these rules existed would be). */
async function storeFactDirectly(body: string, contentType: string, triggerEvent: string, bookingUid: string | null): Promise<string> {
  const factStream = calcomWebhookStream(createHash('sha256').update(body).digest('hex'));
  await events.store.appendToStream(
    factStream,
    [
      {
        id: randomUUID(),
        type: 'CalcomWebhookReceived',
        data: { receivedAt: new Date().toISOString(), contentType, body, triggerEvent, bookingUid },
        metadata: { actor: 'calcom', source: 'calcom', correlationId: 'poison-test', causationId: null },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
  return factStream;
}

async function outcomeOf(factStream: string): Promise<{ outcome: string; reason: string; appointmentId: string | null; waitsFor: string | null; appliedAt: string }> {
  return eventually(async () => {
    const { body } = await running.admin.get('/webhooks/calcom/facts?limit=500');
    const fact = body.items.find((item: { factStream: string }) => item.factStream === factStream);
    expect(fact?.outcome).toEqual(expect.any(String));
    return fact;
  }, 20_000);
}

describe('form bodies whose keys walk the prototype chain', () => {
  it.each([
    ['__proto__[x]=1'],
    ['__proto__.polluted=1'],
    ['a[__proto__][y]=1'],
    ['payload.__proto__.polluted=1'],
    ['constructor[prototype][z]=1'],
    ['constructor.prototype.polluted=1'],
    ['payload.prototype=1'],
    ['payload={"__proto__":{"polluted":1}}'],
  ])('%s: 400 MALFORMED_WEBHOOK, nothing stored, nothing polluted', async (hostile) => {
    const body = `triggerEvent=BOOKING_CANCELLED&payload.uid=proto-${randomUUID()}&${hostile}`;
    const response = await calcom.post(body, { contentType: FORM });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'MALFORMED_WEBHOOK', message: expect.any(String) });
    expect(await storedBodies()).not.toContain(body);
    expectNoPollution();
  });

  it('a form fact stored before the rules is read back safely: ignored with the reason, nothing polluted, later facts applied', async () => {
    const body = 'triggerEvent=BOOKING_CANCELLED&payload.uid=stored-proto&__proto__.polluted=1&constructor[prototype][z]=1';
    const factStream = await storeFactDirectly(body, FORM, 'BOOKING_CANCELLED', 'stored-proto');
    const fact = await outcomeOf(factStream);
    expect(fact).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/input rules.*__proto__/) });
    await systemMovesOn();
  });
});

describe('text the store cannot keep', () => {
  const cancel = (uid: string, reason: string) =>
    JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', createdAt: new Date().toISOString(), payload: { uid, cancellationReason: reason } });

  it.each([
    ['an escaped NUL in the cancellation reason', (uid: string) => cancel(uid, 'rain\u0000')],
    ['a raw NUL byte in the reason', (uid: string) => cancel(uid, 'rain').replace('rain', 'ra\u0000in')],
    ['a lone surrogate in the reason', (uid: string) => cancel(uid, 'rain\ud800')],
    [
      'a NUL in a field the ledger never reads',
      (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', payload: { uid, responses: { note: { value: 'a\u0000b' } } } }),
    ],
    ['a NUL in a key', (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', payload: { uid, 'ke\u0000y': 1 } })],
    ['a NUL in a form value', (uid: string) => `triggerEvent=BOOKING_CANCELLED&payload.uid=${uid}&payload.cancellationReason=a%00b`],
    ['a lone surrogate in a form value', (uid: string) => `triggerEvent=BOOKING_CANCELLED&payload.uid=${uid}&payload.cancellationReason=a%ED%A0%80b`],
    ['a control character in the booking uid', (uid: string) => cancel(`${uid}\n`, 'rain').replace('\\n"', '\\u0007"')],
    [
      'an impossible date',
      (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_RESCHEDULED', payload: { uid, startTime: '2031-02-31T10:00:00Z', endTime: '2031-03-01T10:00:00Z' } }),
    ],
    [
      'a year out of the window',
      (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_RESCHEDULED', payload: { uid, startTime: '9999-01-01T10:00:00Z', endTime: '9999-01-01T11:00:00Z' } }),
    ],
    ['an event type id beyond a safe integer', (uid: string) => `{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"${uid}","eventTypeId":123456789012345678901234567890}}`],
    ['a host id of 2^63', (uid: string) => `{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"${uid}","organizer":{"id":9223372036854775808}}}`],
    [
      'an over-long attendee name',
      (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { uid, attendees: [{ name: 'n'.repeat(201), email: 'a@example.com' }] } }),
    ],
    ['a metadata.appointmentId that is no id', (uid: string) => JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { uid, metadata: { appointmentId: '__proto__' } } })],
  ])('%s: 400 MALFORMED_WEBHOOK naming the field, nothing stored', async (_name, make) => {
    const body = make(`text-${randomUUID()}`);
    const response = await calcom.post(body, { contentType: body.startsWith('{') ? 'application/json' : FORM });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MALFORMED_WEBHOOK');
    expect(await storedBodies()).not.toContain(body);
  });

  it('a body that is not UTF-8: 400, nothing stored', async () => {
    const raw = Buffer.concat([Buffer.from('{"triggerEvent":"PING","payload":{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const response = await fetch(`${ledger().url}/webhooks/calcom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomWebhook(raw, SECRET) },
      body: raw,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_WEBHOOK');
  });

  it('JSON nested 100,000 levels: 400 at once, nothing stored; the process is fine', async () => {
    const depth = 100_000;
    const body = `{"triggerEvent":"PING","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const response = await calcom.post(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MALFORMED_WEBHOOK');
    expect(response.body.error.message).toMatch(/deeper/);
  });

  it('a fact stored before the rules with a NUL in its reason (for a real appointment) is ignored with the reason; the translator moves on', async () => {
    const booking = await running.customer.book(101, slot(30), { name: 'Nul Reason', email: 'nul@example.com', timeZone: 'UTC' });
    const { appointmentId } = await factFor(running.admin, booking.uid, 'BOOKING_CREATED', 'applied', 20_000);
    const body = cancel(booking.uid, 'rain\u0000and\ud800more');
    const factStream = await storeFactDirectly(body, 'application/json', 'BOOKING_CANCELLED', booking.uid);
    const fact = await outcomeOf(factStream);
    expect(fact).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/input rules.*cancellationReason/) });
    await systemMovesOn();
    const { body: appointment } = await running.admin.get(`/appointments/${appointmentId}`);
    expect(appointment.status).toBe('scheduled');
  });

  it('facts stored before the rules, nested 100,000 levels or with huge ids, are ignored; the translator moves on', async () => {
    const depth = 100_000;
    const deep = await storeFactDirectly(`{"triggerEvent":"BOOKING_CREATED","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`, 'application/json', 'BOOKING_CREATED', null);
    const huge = await storeFactDirectly(
      '{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"huge-id","eventTypeId":1e300,"organizer":{"id":-1}}}',
      'application/json',
      'BOOKING_CREATED',
      'huge-id',
    );
    expect(await outcomeOf(deep)).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/deeper/) });
    expect(await outcomeOf(huge)).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/eventTypeId/) });
    await systemMovesOn();
  });
});
