import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '#calcom-sandbox';
import type { CalcomAnsweringProxy } from '../support/calcom-answering-proxy.js';
import { LEDGER_SERVICES, mutationsOf, type SandboxLevers } from '../support/calcom-sync-harness.js';
import { type CalcomSyncSetup, dailySlots, startCalcomSyncSetup, syncedCalcomBlock } from '../support/calcom-sync-setup.js';
import type { LedgerClient } from '../support/ledger-client.js';

/**
 * Knowing whether an event type is round-robin never blocks a reassign. The Cal.com of issue 10 answers
 * `GET /v2/event-types` without `username` with 404 (event-types.service.ts, upstream 84bd4d3; the sandbox's
 * `eventTypesRequireUsername` behaviour): the sync asks `GET /v2/event-types/{id}` instead; and when even that fails
 * (the proxy answers 404), it asks Cal.com to reassign anyway and says so in the history.
 * Two round-robin types (103 and a copy, 104), so what the ledger learned of one does not answer for the other.
 */
let setup: CalcomSyncSetup;
let sandbox: RunningSandbox;
let levers: SandboxLevers;
let proxy: CalcomAnsweringProxy;
let admin: LedgerClient;
const nextSlot = dailySlots(40, 9);

const NOT_FOUND = { status: 'error', error: { code: 'NotFoundException', message: 'Event types not found' } };

beforeAll(async () => {
  setup = await startCalcomSyncSetup('calcom_sync_event_types', {
    eventTypes: (eventTypes) => [...eventTypes, { ...eventTypes.find((eventType) => eventType.id === 103)!, id: 104, slug: 'team-session-45-b' }],
    behaviours: { eventTypesRequireUsername: true },
    proxy: true,
    services: [...LEDGER_SERVICES, { id: 'team-b', body: { name: 'Team session B', durationMinutes: 45, calcomEventTypeIds: { hugo: 104, rita: 104 } } }],
  });
  ({ sandbox, levers, admin } = setup);
  proxy = setup.proxy!;
});

afterAll(() => setup?.close());

const synced = (appointmentId: string) => syncedCalcomBlock(admin, appointmentId);

async function reassignedInPlace(serviceId: string) {
  const appointmentId = randomUUID();
  const customer = { name: 'Ada', email: `ada-${appointmentId.slice(0, 8)}@example.com`, timeZone: 'Europe/London' };
  expect((await admin.post('/appointments', { appointmentId, serviceId, staffId: 'hugo', startsAt: nextSlot(), customer })).status).toBe(201);
  const { bookingUid: uid } = await synced(appointmentId);
  expect((await admin.post(`/appointments/${appointmentId}/reassign`, { staffId: 'rita' })).status).toBe(200);
  expect(await synced(appointmentId)).toMatchObject({ bookingUid: uid, bookingUids: [uid] });
  expect(mutationsOf(await levers.state(), appointmentId)).toEqual([
    { op: 'create', uid },
    { op: 'reassign', uid },
  ]);
  return { appointmentId, uid };
}

test('with /v2/event-types answering 404, the event type is read by id and the reassign is made in place', async () => {
  expect((await fetch(`${sandbox.url}/v2/event-types`, { headers: { authorization: `Bearer ${sandbox.apiKey}`, 'cal-api-version': '2024-06-14' } })).status).toBe(404);
  await reassignedInPlace('team');
  expect(proxy.count('GET', '/v2/event-types/103')).toBe(1);
});

test('when Cal.com will not describe the event type at all, the reassign is still asked for, and the history says why', async () => {
  proxy.rules.push({ method: 'GET', path: /^\/v2\/event-types\/104$/, status: 404, body: NOT_FOUND });
  const { appointmentId } = await reassignedInPlace('team-b');
  expect(proxy.count('GET', '/v2/event-types/104')).toBeGreaterThanOrEqual(1);
  const { body } = await admin.get(`/appointments/${appointmentId}/history`);
  const started = JSON.stringify(body).match(/"reason":"[^"]*did not tell event type 104[^"]*"/);
  expect(started?.[0]).toContain('404');
}, 30_000);
