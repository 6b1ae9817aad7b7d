import { randomUUID } from 'node:crypto';
import { EVENT_STORE, PROJECTOR } from '../../apps/ledger/src/ledger.tokens.js';
import type { EventStore } from '#event-store';
import type { Projector } from '#projections';
import { eventually } from '../support/eventually.js';
import type { ApiResponse, LedgerClient } from '../support/ledger-client.js';
import { ledgerForFile } from '../support/ledger-for-tests.js';
import { customer, inDays } from '../support/appointment-fixtures.js';

/**
 * Races the README promises to win: no double booking whatever the projector's state, and without If-Match a lost
 * race is retried on fresh state. Over real HTTP against a ledger on a real PostgreSQL.
 */

const TIMEOUT_MS = 5_000;
const file = ledgerForFile('races', { readYourWritesTimeoutMs: TIMEOUT_MS });
let admin: LedgerClient;
let projector: Projector;
let store: EventStore;

const statuses = (responses: ApiResponse[]) => responses.map((response) => `${response.status} ${response.body?.error?.code ?? ''}`.trim());
const count = (values: string[]) => values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

async function schedule(staffId: string, startsAt: string): Promise<string> {
  const response = await admin.post('/appointments', { serviceId: 'cut', staffId, startsAt, customer });
  expect(response.status).toBe(201);
  return response.body.appointmentId;
}

async function readModelsCaughtUp(): Promise<void> {
  const head = await store.headPosition();
  await eventually(() => expect(store.comparePositions(projector.position, head)).toBeGreaterThanOrEqual(0), TIMEOUT_MS);
}

beforeAll(async () => {
  admin = file.admin;
  projector = file.ledger.app.get(PROJECTOR);
  store = file.ledger.app.get(EVENT_STORE);
  await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 });
  await admin.put('/staff/kim', { name: 'Kim', email: 'kim@salon.example', calcomUserId: 102 });
  await admin.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001, kim: 1002 } });
  await admin.put('/services/trim', { name: 'Trim', durationMinutes: 30, calcomEventTypeIds: { sam: 3001, kim: 3002 } });
});

describe('the staff calendar', () => {
  it('lets exactly one of 30 concurrent overlapping bookings through while the projector runs', async () => {
    const slot = inDays(3, 9);
    const attempts = await Promise.all(
      Array.from({ length: 30 }, (_, minute) => admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(3, 9, minute), customer })),
    );
    expect(count(statuses(attempts))).toEqual({ '201': 1, '409 STAFF_UNAVAILABLE': 29 });
    const listed = await admin.get(`/appointments?staffId=sam&from=${encodeURIComponent(slot)}&to=${encodeURIComponent(inDays(3, 10))}`);
    expect(listed.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([attempts.find((a) => a.status === 201)!.body.appointmentId]);
  });

  it('serves 45 concurrent bookings of free slots, more than the lock connections, each in its turn', async () => {
    const slots = Array.from({ length: 45 }, (_, index) => {
      const turn = Math.floor(index / 2);
      return { staffId: index % 2 ? 'kim' : 'sam', startsAt: inDays(4, 6 + Math.floor(turn / 2), (turn % 2) * 30) };
    });
    const unique = new Set(slots.map((slot) => `${slot.staffId} ${slot.startsAt}`));
    expect(unique.size).toBe(45);
    const results = await Promise.all(slots.map((slot) => admin.post('/appointments', { serviceId: 'cut', customer, ...slot })));
    expect(count(statuses(results))).toEqual({ '201': 45 });
  });

  it('refuses bookings, reschedules and reassignments into a slot while the read models are behind (503, nothing stored), and takes them again once the projector is back', async () => {
    const slot = inDays(5, 14);
    const elsewhere = await schedule('sam', inDays(5, 8));
    const kimsAppointment = await schedule('kim', slot);
    await readModelsCaughtUp();
    await projector.stop();
    try {
      // The example: the first booking is stored while the projector is down, so the read model lacks it.
      const first = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: slot, customer });
      expect(first.status).toBe(201);
      expect(store.comparePositions(await store.headPosition(), projector.position)).toBeGreaterThan(0);

      const ids = Array.from({ length: 45 }, () => randomUUID());
      const started = Date.now();
      const racers = await Promise.all([
        ...ids.map((appointmentId, index) =>
          admin.post('/appointments', { appointmentId, serviceId: 'cut', staffId: index < 30 ? 'sam' : 'kim', startsAt: inDays(5, 14, index % 30), customer }),
        ),
        admin.post(`/appointments/${elsewhere}/reschedule`, { startsAt: inDays(5, 14, 10) }),
        admin.post(`/appointments/${kimsAppointment}/reassign`, { staffId: 'sam' }),
        admin.post(`/appointments/${elsewhere}/change-service`, { serviceId: 'trim' }),
      ]);
      // Every request beyond the 20 lock connections got an answer within a bound, none hung.
      expect(Date.now() - started).toBeLessThan(3 * TIMEOUT_MS);
      const outcomes = count(statuses(racers));
      expect(Object.keys(outcomes).filter((outcome) => !['503 READ_MODEL_BEHIND', '503 COMMAND_TIMEOUT'].includes(outcome))).toEqual([]);
      for (const refused of racers) {
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(refused.body.error).toEqual({ code: expect.any(String), message: expect.any(String), details: expect.objectContaining({ retryAfterSeconds: expect.any(Number) }) });
      }
      const behind = racers.find((response) => response.body.error.code === 'READ_MODEL_BEHIND');
      expect(behind?.body.error.details).toMatchObject({ staffIds: [expect.any(String)], readModelPosition: expect.any(String), storeHead: expect.any(String) });
      for (const appointmentId of ids) expect(await store.readStream(`appointment-${appointmentId}`)).toEqual([]);
      expect((await admin.get(`/appointments/${elsewhere}`)).body).toMatchObject({ version: 1, serviceId: 'cut', startsAt: inDays(5, 8) });
      expect((await admin.get(`/appointments/${kimsAppointment}`)).body).toMatchObject({ version: 1, staffId: 'kim' });

      await projector.start();
      const overlapping = await eventually(async () => {
        const again = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5, 14, 15), customer });
        expect(again.status).not.toBe(503);
        return again;
      }, 3 * TIMEOUT_MS);
      expect(overlapping.status).toBe(409);
      expect(overlapping.body.error).toMatchObject({ code: 'STAFF_UNAVAILABLE', details: { conflictingAppointmentIds: [first.body.appointmentId] } });
      expect((await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5, 15), customer })).status).toBe(201);
      const listed = await admin.get(`/appointments?staffId=sam&from=${encodeURIComponent(inDays(5, 13, 31))}&to=${encodeURIComponent(inDays(5, 14, 59))}`);
      expect(listed.body.items.map((item: { appointmentId: string }) => item.appointmentId)).toEqual([first.body.appointmentId]);
    } finally {
      await projector.start();
    }
  });

  it('treats concurrent retries of one booking, same id and body, as the one booking', async () => {
    const body = { appointmentId: randomUUID(), serviceId: 'cut', staffId: 'kim', startsAt: inDays(6, 11), customer };
    const retries = await Promise.all(Array.from({ length: 12 }, () => admin.post('/appointments', body)));
    expect(retries.map((response) => [response.status, response.body.version])).toEqual(retries.map(() => [201, 1]));
    expect(await store.readStream(`appointment-${body.appointmentId}`)).toHaveLength(1);
  });
});

describe('a lost race without If-Match', () => {
  it('is retried on fresh state: 20 concurrent reschedules all succeed, each with its own version', async () => {
    const appointmentId = await schedule('sam', inDays(7, 6));
    const starts = Array.from({ length: 20 }, (_, index) => inDays(7, 8 + Math.floor(index / 2), (index % 2) * 30));
    const results = await Promise.all(starts.map((startsAt) => admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt })));
    expect(count(statuses(results))).toEqual({ '200': 20 });
    expect(results.map((result) => result.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 2));
    const last = results.find((result) => result.body.version === 21)!;
    const current = await admin.get(`/appointments/${appointmentId}`);
    expect(current.headers.get('etag')).toBe('"21"');
    expect(current.body.startsAt).toBe(starts[results.indexOf(last)]);
    const history = await store.readStream(`appointment-${appointmentId}`);
    expect(history.map((event) => event.revision)).toEqual(Array.from({ length: 21 }, (_, index) => index));
    // Each reschedule was decided on the state the one before it left.
    for (let revision = 2; revision < 21; revision++) {
      expect((history[revision].data as { previousStartsAt: string }).previousStartsAt).toBe((history[revision - 1].data as { startsAt: string }).startsAt);
    }

    const stale = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(7, 20) }, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { expectedVersion: 1, actualVersion: 21 } });
    const sameSight = await Promise.all(
      Array.from({ length: 10 }, (_, index) => admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(8, 8 + index) }, { 'If-Match': '"21"' })),
    );
    expect(count(statuses(sameSight))).toEqual({ '200': 1, '412 VERSION_CONFLICT': 9 });
    expect(await store.readStream(`appointment-${appointmentId}`)).toHaveLength(22);
  });

  it('is retried for cancel, reassign and change-service racing reschedules too: one history, no 412, nothing after the cancel', async () => {
    const appointmentId = await schedule('sam', inDays(9, 6));
    const changes = Array.from({ length: 18 }, (_, index): readonly [string, object] => {
      const round = Math.floor(index / 3);
      if (index % 3 === 0) return ['reschedule', { startsAt: inDays(9, 8 + round) }];
      if (index % 3 === 1) return ['reassign', { staffId: round % 2 ? 'sam' : 'kim' }];
      return ['change-service', { serviceId: round % 2 ? 'cut' : 'trim' }];
    });
    const requests = [...changes.slice(0, 9), ['cancel', { reason: 'customer called' }] as const, ...changes.slice(9)];
    const results = await Promise.all(requests.map(([action, body]) => admin.post(`/appointments/${appointmentId}/${action}`, body)));
    const outcomes = statuses(results);
    expect(outcomes.every((outcome) => outcome === '200' || outcome === '409 APPOINTMENT_CANCELLED')).toBe(true);
    const cancel = results[requests.findIndex(([action]) => action === 'cancel')];
    expect(cancel.status).toBe(200);

    const history = await store.readStream(`appointment-${appointmentId}`);
    const finalVersion = history.length;
    expect(history.map((event) => event.revision)).toEqual(Array.from({ length: finalVersion }, (_, index) => index));
    expect(history.at(-1)!.type).toBe('AppointmentCancelled');
    expect(cancel.body.version).toBe(finalVersion);
    // Every change that was made answered with its own version; a change that was already true answered the current one.
    const versions = new Set(results.filter((result) => result.status === 200).map((result) => result.body.version as number));
    for (let version = 2; version <= finalVersion; version++) expect(versions).toContain(version);
    expect([...versions].every((version) => version >= 1 && version <= finalVersion)).toBe(true);
  });
});
