import { startSandbox, type RunningSandbox } from '../src/index.js';
import { DEFAULT_CATALOG, type SandboxCatalog } from '../src/catalog.js';
import { assertExactlySchema } from './support/openapi-validator.js';
import { sandboxClient, testClock } from './support/sandbox-client.js';

/** Event types as Cal.com lists them: personal, by id, per team (scheduling type and hosts), and the 404 without username. */
let sandbox: RunningSandbox;
let client: ReturnType<typeof sandboxClient>;
const v614 = { 'cal-api-version': '2024-06-14' };

const CATALOG: SandboxCatalog = {
  users: DEFAULT_CATALOG.users,
  eventTypes: [
    ...DEFAULT_CATALOG.eventTypes,
    { id: 104, slug: 'duo-60', title: 'Duo', lengthInMinutes: 60, hosts: [1, 2, 3], fixedHosts: [1], schedulingType: 'ROUND_ROBIN', teamId: 7 },
    { id: 105, slug: 'hugo-15', title: 'Hugo quick', lengthInMinutes: 15, ownerId: 2, schedulingType: null },
  ],
};

beforeAll(async () => {
  sandbox = await startSandbox({ now: testClock().now, catalog: CATALOG });
  client = sandboxClient(sandbox);
});
beforeEach(() => client.lever('POST', '/reset'));
afterAll(() => sandbox.close());

const ids = (reply: { body: { data: { id: number }[] } }) => reply.body.data.map((eventType) => eventType.id);

test('by default /v2/event-types lists every event type without a username, as before', async () => {
  const listed = await client.v2('GET', '/event-types', undefined, v614);
  expect(listed.status).toBe(200);
  expect(ids(listed)).toEqual([101, 102, 103, 104, 105]);
});

test('with eventTypesRequireUsername, no username is a 404 "Event types not found"; a username lists that user\'s personal types', async () => {
  expect((await client.lever('PUT', '/behaviours', { eventTypesRequireUsername: true })).body).toEqual({ eventTypesRequireUsername: true });
  const without = await client.v2('GET', '/event-types', undefined, v614);
  expect(without.status).toBe(404);
  expect(without.body.error).toEqual({ code: 'NotFoundException', message: 'Event types not found' });
  expect(without.body.status).toBe('error');
  expect(ids(await client.v2('GET', '/event-types?username=olivia', undefined, v614))).toEqual([101, 102]);
  expect(ids(await client.v2('GET', '/event-types?username=hugo&eventSlug=hugo-15', undefined, v614))).toEqual([105]);
  expect((await client.v2('GET', '/event-types?username=__proto__', undefined, v614)).status).toBe(404);
  await client.lever('POST', '/reset');
  expect((await client.v2('GET', '/event-types', undefined, v614)).status).toBe(200);
});

test('the behaviours lever refuses unknown names and non-booleans', async () => {
  for (const body of [{ eventTypesRequireUsername: 'yes' }, { __proto__: true, other: true }, { constructor: true }, [], null]) {
    expect((await client.lever('PUT', '/behaviours', body)).status).toBe(400);
  }
  expect((await client.lever('GET', '/behaviours')).body).toEqual({ eventTypesRequireUsername: false });
});

test('GET /v2/event-types/{id} answers a team type with its scheduling type and hosts, fixed ones marked mandatory', async () => {
  const team = await client.v2('GET', '/event-types/104', undefined, v614);
  expect(team.status).toBe(200);
  assertExactlySchema('TeamEventTypeOutput_2024_06_14', team.body.data);
  expect(team.body.data).toMatchObject({ id: 104, teamId: 7, schedulingType: 'roundRobin' });
  expect(team.body.data.hosts.map((host: { userId: number; mandatory: boolean }) => [host.userId, host.mandatory])).toEqual([
    [1, true],
    [2, false],
    [3, false],
  ]);
  const personal = await client.v2('GET', '/event-types/105', undefined, v614);
  expect(personal.body.data).toMatchObject({ id: 105, ownerId: 2 });
  expect(personal.body.data.schedulingType).toBeUndefined();
  expect((await client.v2('GET', '/event-types/999', undefined, v614)).status).toBe(404);
  expect((await client.v2('GET', '/event-types/104')).status).toBe(400);
});

test("GET /v2/teams/{teamId}/event-types lists that team's round-robin types only", async () => {
  expect(ids(await client.v2('GET', '/teams/1/event-types'))).toEqual([103]);
  expect(ids(await client.v2('GET', '/teams/7/event-types'))).toEqual([104]);
  expect(ids(await client.v2('GET', '/teams/7/event-types?eventSlug=nope'))).toEqual([]);
  expect(ids(await client.v2('GET', '/teams/99/event-types'))).toEqual([]);
  expect((await client.v2('GET', '/teams/x%00/event-types')).status).toBe(400);
});

test('the catalog refuses fixed hosts that are not hosts and a bad teamId', async () => {
  const base = CATALOG.eventTypes[3];
  for (const bad of [
    { ...base, fixedHosts: [9] },
    { ...base, teamId: -1 },
    { ...base, fixedHosts: 'x' },
  ]) {
    expect((await client.lever('PUT', '/catalog', { ...CATALOG, eventTypes: [bad] })).status).toBe(400);
  }
});
