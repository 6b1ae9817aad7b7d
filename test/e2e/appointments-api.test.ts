import { randomUUID } from 'node:crypto';
import type { LedgerClient } from '../support/ledger-client.js';
import { customer, inDays } from '../support/appointment-fixtures.js';
import { AUDITOR_TOKEN as AUDITOR, ledgerForFile } from '../support/ledger-for-tests.js';

const file = ledgerForFile('api');
let admin: LedgerClient;
let auditor: LedgerClient;

beforeAll(async () => {
  admin = file.admin;
  auditor = admin.as(AUDITOR);
  await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 });
  await admin.put('/staff/kim', { name: 'Kim', email: 'kim@salon.example', calcomUserId: 102 });
  await admin.put('/services/cut', { name: 'Haircut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001, kim: 1002 } });
  await admin.put('/services/colour', { name: 'Colour', durationMinutes: 90, calcomEventTypeIds: { sam: 2001, kim: 2002 } });
});

async function schedule(overrides: Record<string, unknown> = {}) {
  const response = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(3), customer, ...overrides });
  expect(response.status).toBe(201);
  return response.body as { appointmentId: string; version: number };
}

describe('catalog', () => {
  it('lists staff and services as saved', async () => {
    const staff = await auditor.get('/staff');
    expect(staff.status).toBe(200);
    expect(staff.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ staffId: 'sam', name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 })]));
    const services = await auditor.get('/services');
    expect(services.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ serviceId: 'cut', durationMinutes: 30, calcomEventTypeIds: { sam: 1001, kim: 1002 } })]));
  });

  it('records a re-save of the same fields as no change', async () => {
    const first = await admin.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example', calcomUserId: 101 });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(1);
  });

  it('refuses a bad service with the fields named', async () => {
    const response = await admin.put('/services/bad', { name: '', durationMinutes: 0, calcomEventTypeIds: { sam: 'x' } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['calcomEventTypeIds', 'durationMinutes', 'name']);
  });
});

describe('scheduling', () => {
  it('creates an appointment, readable with its version as ETag', async () => {
    const appointmentId = randomUUID();
    const created = await admin.post('/appointments', {
      appointmentId,
      serviceId: 'cut',
      staffId: 'sam',
      startsAt: '2031-03-01T10:00:00+01:00',
      customer: { ...customer, phone: '+44 20 7946 0000' },
      notes: 'first visit',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ appointmentId, version: 1 });

    const read = await auditor.get(`/appointments/${appointmentId}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toMatchObject({
      appointmentId,
      status: 'scheduled',
      startsAt: '2031-03-01T09:00:00.000Z',
      endsAt: '2031-03-01T09:30:00.000Z',
      staffId: 'sam',
      serviceId: 'cut',
      customer: { ...customer, phone: '+44 20 7946 0000' },
      notes: 'first visit',
      version: 1,
    });
  });

  it('treats a retry with the same id and body as harmless', async () => {
    const body = { appointmentId: randomUUID(), serviceId: 'cut', staffId: 'kim', startsAt: inDays(40), customer };
    const first = await admin.post('/appointments', body);
    const retries = await Promise.all([admin.post('/appointments', body), admin.post('/appointments', body)]);
    expect([first.status, ...retries.map((r) => r.status)]).toEqual([201, 201, 201]);
    expect(retries.map((r) => r.body.version)).toEqual([1, 1]);
    const history = await admin.get(`/appointments/${body.appointmentId}/history`);
    expect(history.body.events).toHaveLength(1);
  });

  it('refuses the same id with a different body (409 APPOINTMENT_EXISTS)', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(41) });
    const clash = await admin.post('/appointments', { appointmentId, serviceId: 'cut', staffId: 'sam', startsAt: inDays(42), customer });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('APPOINTMENT_EXISTS');
  });

  it('refuses an overlapping appointment for the same staff member (409 STAFF_UNAVAILABLE)', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(5, 10) });
    const clash = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5, 10, 15), customer });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({ code: 'STAFF_UNAVAILABLE', details: { staffId: 'sam', conflictingAppointmentIds: [appointmentId] } });
    const touching = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(5, 10, 30), customer });
    expect(touching.status).toBe(201);
  });

  it('lets only one of many concurrent overlapping bookings through', async () => {
    const startsAt = inDays(6, 14);
    const attempts = await Promise.all(Array.from({ length: 6 }, () => admin.post('/appointments', { serviceId: 'cut', staffId: 'kim', startsAt, customer })));
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('serves many concurrent bookings for one staff member, each seeing the others', async () => {
    const hours = Array.from({ length: 16 }, (_, index) => index);
    const results = await Promise.all(hours.map((hour) => admin.post('/appointments', { serviceId: 'cut', staffId: 'kim', startsAt: inDays(70, hour), customer })));
    expect(results.map((r) => r.status)).toEqual(hours.map(() => 201));
    const listed = await admin.get(`/appointments?staffId=kim&from=${encodeURIComponent(inDays(70, 0))}&to=${encodeURIComponent(inDays(71, 0))}&limit=50`);
    expect(listed.body.items).toHaveLength(16);
  });

  it.each([
    ['a start in the past', { startsAt: '2020-01-01T10:00:00Z' }, 'startsAt'],
    ['a start without offset', { startsAt: '2031-01-01T10:00:00' }, 'startsAt'],
    ['a bad email', { customer: { ...customer, email: 'nope' } }, 'customer.email'],
    ['an unknown time zone', { customer: { ...customer, timeZone: 'Mars/Olympus' } }, 'customer.timeZone'],
    ['an unknown field', { colour: 'red' }, 'colour'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_label, overrides, field) => {
    const response = await admin.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(7), customer, ...overrides });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(response.body.error.details)).toContain(field);
  });

  it('refuses unknown staff and services with 404', async () => {
    const staff = await admin.post('/appointments', { serviceId: 'cut', staffId: 'nobody', startsAt: inDays(8), customer });
    expect(staff.status).toBe(404);
    expect(staff.body.error).toMatchObject({ code: 'NOT_FOUND', details: { entity: 'staff', id: 'nobody' } });
    const service = await admin.post('/appointments', { serviceId: 'nothing', staffId: 'sam', startsAt: inDays(8), customer });
    expect(service.status).toBe(404);
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const response = await admin.post('/appointments', '{"serviceId": ', {});
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('changing an appointment', () => {
  it('reschedules, reassigns, changes service and cancels, each a new version', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(10, 9) });
    const rescheduled = await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(10, 11), reason: 'customer asked' }, { 'if-match': '"1"' });
    expect(rescheduled.status).toBe(200);
    expect(rescheduled.body).toEqual({ appointmentId, version: 2 });

    const reassigned = await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'kim' });
    expect(reassigned.body.version).toBe(3);
    const changed = await admin.post(`/appointments/${appointmentId}/change-service`, { serviceId: 'colour' });
    expect(changed.body.version).toBe(4);

    const now = await admin.get(`/appointments/${appointmentId}`);
    expect(now.body).toMatchObject({ staffId: 'kim', serviceId: 'colour', startsAt: inDays(10, 11), endsAt: inDays(10, 12, 30), version: 4 });

    const cancelled = await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'ill' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.version).toBe(5);
    const after = await admin.get(`/appointments/${appointmentId}`);
    expect(after.body).toMatchObject({ status: 'cancelled', cancellationReason: 'ill' });
  });

  it('refuses any change to a cancelled appointment (409 APPOINTMENT_CANCELLED)', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(11) });
    await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'no longer needed' });
    for (const [path, body] of [
      ['reschedule', { startsAt: inDays(12) }],
      ['cancel', { reason: 'again' }],
      ['reassign', { staffId: 'kim' }],
      ['change-service', { serviceId: 'colour' }],
    ] as const) {
      const response = await admin.post(`/appointments/${appointmentId}/${path}`, body);
      expect([path, response.status, response.body.error?.code]).toEqual([path, 409, 'APPOINTMENT_CANCELLED']);
    }
  });

  it('refuses a stale If-Match with 412 VERSION_CONFLICT and changes nothing', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(13) });
    await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(13, 12) });
    const stale = await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'stale view' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { expectedVersion: 1, actualVersion: 2 } });
    expect((await admin.get(`/appointments/${appointmentId}`)).body.status).toBe('scheduled');
    const badHeader = await admin.post(`/appointments/${appointmentId}/cancel`, { reason: 'x' }, { 'if-match': 'yesterday' });
    expect(badHeader.status).toBe(400);
  });

  it('refuses a reassignment to a busy staff member and a longer service that would overlap', async () => {
    const busy = await schedule({ staffId: 'kim', startsAt: inDays(14, 10) });
    const { appointmentId } = await schedule({ staffId: 'sam', startsAt: inDays(14, 10) });
    const reassign = await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'kim' });
    expect(reassign.status).toBe(409);
    expect(reassign.body.error.details.conflictingAppointmentIds).toEqual([busy.appointmentId]);

    await schedule({ staffId: 'sam', startsAt: inDays(14, 11) });
    const longer = await admin.post(`/appointments/${appointmentId}/change-service`, { serviceId: 'colour' });
    expect(longer.status).toBe(409);
    expect(longer.body.error.code).toBe('STAFF_UNAVAILABLE');
  });

  it('answers 404 for an appointment that does not exist', async () => {
    const response = await admin.post(`/appointments/${randomUUID()}/cancel`, { reason: 'x' });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    expect((await admin.get('/appointments/no-such-thing')).status).toBe(404);
    expect((await admin.get('/appointments/no-such-thing/history')).status).toBe(404);
  });

  it('requires a reason to cancel', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(15) });
    const response = await admin.post(`/appointments/${appointmentId}/cancel`, {});
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields[0].field).toBe('reason');
  });
});

describe('history and time travel', () => {
  it('shows every event with who, from where and why, and the state as of any moment', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(20, 9) });
    await admin.post(`/appointments/${appointmentId}/reschedule`, { startsAt: inDays(20, 15), reason: 'running late' }, { 'x-actor': 'jane@salon', 'x-correlation-id': 'corr-42' });

    const history = await auditor.get(`/appointments/${appointmentId}/history`);
    expect(history.status).toBe(200);
    const [scheduled, rescheduled] = history.body.events;
    expect(scheduled).toMatchObject({ revision: 0, type: 'AppointmentScheduled', metadata: { source: 'admin', actor: expect.stringMatching(/^admin:/) } });
    expect(rescheduled).toMatchObject({
      revision: 1,
      type: 'AppointmentRescheduled',
      data: { startsAt: inDays(20, 15), previousStartsAt: inDays(20, 9) },
      metadata: { source: 'admin', actor: 'jane@salon', correlationId: 'corr-42', reason: 'running late' },
    });
    expect(Date.parse(rescheduled.recordedAt)).toBeGreaterThanOrEqual(Date.parse(scheduled.recordedAt));

    const then = await auditor.get(`/appointments/${appointmentId}?asOf=${encodeURIComponent(scheduled.recordedAt)}`);
    expect(then.body).toMatchObject({ startsAt: inDays(20, 9), version: 1 });
    const before = await auditor.get(`/appointments/${appointmentId}?asOf=2001-01-01T00:00:00Z`);
    expect(before.status).toBe(404);
    const bad = await auditor.get(`/appointments/${appointmentId}?asOf=last-tuesday`);
    expect(bad.status).toBe(400);
  });
});

describe('listing', () => {
  it('filters by status, staff and window, and pages with a cursor', async () => {
    const day = 60;
    const ids = [];
    for (const hour of [9, 10, 11, 12, 13]) ids.push((await schedule({ staffId: 'kim', startsAt: inDays(day, hour) })).appointmentId);
    await admin.post(`/appointments/${ids[4]}/cancel`, { reason: 'x' });
    const window = `from=${encodeURIComponent(inDays(day, 0))}&to=${encodeURIComponent(inDays(day + 1, 0))}`;

    const first = await auditor.get(`/appointments?staffId=kim&status=scheduled&limit=2&${window}`);
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: { appointmentId: string }) => a.appointmentId)).toEqual(ids.slice(0, 2));
    const second = await auditor.get(`/appointments?staffId=kim&status=scheduled&limit=2&${window}&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((a: { appointmentId: string }) => a.appointmentId)).toEqual(ids.slice(2, 4));
    const cancelled = await auditor.get(`/appointments?status=cancelled&${window}`);
    expect(cancelled.body.items.map((a: { appointmentId: string }) => a.appointmentId)).toEqual([ids[4]]);
  });

  it('refuses bad filters with 400', async () => {
    for (const query of ['status=lost', 'limit=0', 'limit=500', 'from=yesterday', 'cursor=%%%garbage', 'unknown=1']) {
      const response = await auditor.get(`/appointments?${query}`);
      expect([query, response.status, response.body.error?.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('auth', () => {
  it('refuses requests without a valid token with 401', async () => {
    for (const client of [admin.as(undefined), admin.as('wrong-token-entirely')]) {
      const response = await client.get('/appointments');
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('lets an auditor read but not command (403)', async () => {
    const { appointmentId } = await schedule({ startsAt: inDays(30) });
    expect((await auditor.get(`/appointments/${appointmentId}`)).status).toBe(200);
    for (const response of [
      await auditor.post(`/appointments/${appointmentId}/cancel`, { reason: 'x' }),
      await auditor.post('/appointments', { serviceId: 'cut', staffId: 'sam', startsAt: inDays(31), customer }),
      await auditor.put('/staff/eve', { name: 'Eve', email: 'eve@salon.example' }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect((await admin.get(`/appointments/${appointmentId}`)).body.status).toBe('scheduled');
  });

  it('keeps health, metrics and docs open', async () => {
    const anonymous = admin.as(undefined);
    const health = await anonymous.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const metrics = await anonymous.get('/metrics');
    expect(metrics.body).toContain('ledger_http_request_duration_seconds');
    const docs = await anonymous.get('/docs/openapi.json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/appointments', '/appointments/{id}/reschedule', '/staff/{staffId}']));
  });
});
