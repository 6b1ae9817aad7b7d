import type { RunningSandbox } from '#calcom-sandbox';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { appointmentsWithChains, connectCli, expectSalonCatalogMapped, lateEvening, startConnectableLedger, startSalonSandbox } from '../support/calcom-connect-world.js';
import type { sandboxCustomer } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import { BuiltLedger, freePort } from '../support/spawned-ledger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Issue 14's "Done when", through the built CLI (spawned) against a running ledger over real HTTP, with a sandbox
 * holding 3 hosts, 5 event types (one round-robin team type) and 300 bookings. The ledger has no shared webhook
 * secret: a webhook it accepts can only have come through the subscription connect registered.
 */
let build: BuiltLedger;
let sandbox: RunningSandbox;
let customer: ReturnType<typeof sandboxCustomer>;
let unmappedUid: string;
let ledger: RunningLedger;
let database: TestDatabase;
let admin: LedgerClient;

interface ListedBooking {
  uid: string;
  status: string;
  start: string;
  end: string;
  eventTypeId: number;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
}

beforeAll(async () => {
  const [built, salon] = await Promise.all([BuiltLedger.build(), startSalonSandbox()]);
  build = built;
  ({ sandbox, customer, unmappedUid } = salon);
  ({ ledger, database, admin } = await startConnectableLedger(sandbox, 'calcom_connect'));
}, 180_000);

afterAll(async () => {
  await ledger?.close();
  await database?.drop();
  await sandbox?.close();
  await build?.remove();
});

async function calcom<T>(path: string): Promise<T> {
  const response = await fetch(`${sandbox.url}/v2${path}`, { headers: { authorization: `Bearer ${sandbox.apiKey}`, 'cal-api-version': '2024-08-13' } });
  return ((await response.json()) as { data: T }).data;
}

/** As far back as the drift check looks (DRIFT_LOOKBACK, 7 days): adopted, the check finds nothing missing. */
const DAYS_BACK = 7;

/** The chains the ledger should hold: every booking alive that ends after DAYS_BACK ago, with the uids it replaced, oldest first. */
async function upcomingChains(): Promise<string[][]> {
  const all: ListedBooking[] = [];
  for (let skip = 0; ; skip += 250) {
    const page = await calcom<ListedBooking[]>(`/bookings?take=250&skip=${skip}`);
    all.push(...page);
    if (page.length < 250) break;
  }
  const byUid = new Map(all.map((booking) => [booking.uid, booking]));
  const from = Date.now() - DAYS_BACK * 86_400_000;
  return all
    .filter((booking) => ['accepted', 'pending'].includes(booking.status) && new Date(booking.end).getTime() > from && booking.uid !== unmappedUid)
    .map((booking) => {
      const chain = [booking.uid];
      for (let previous = booking.rescheduledFromUid; previous; previous = byUid.get(previous)?.rescheduledFromUid) chain.unshift(previous);
      return chain;
    });
}

const sorted = (chains: string[][]) => chains.map((chain) => chain.join('>')).sort();
const apiCallsThatChangedCalcom = async () => (await customer.state()).mutations.filter((mutation) => mutation.via === 'api');

it('a dry run prints the whole plan and changes nothing', async () => {
  const run = await connectCli(build, ledger.url, ['--dry-run', '--days-back', String(DAYS_BACK)]);
  expect(run.code).toBe(2);
  expect(run.stdout).toContain('Cal.com account: olivia <olivia@salon.example> (user 1)');
  expect(run.stdout).toContain('Staff: 3 to save, 0 unchanged');
  expect(run.stdout).toMatch(/\+ haircut-30 {2}Haircut, 30 min: olivia→101, hugo→102/);
  expect(run.stdout).toMatch(/\+ team-session-45 {2}Team session, 45 min, round-robin: hugo→105, rita→105/);
  expect(run.stdout).toContain('Services: 4 to save, 0 unchanged');
  expect(run.stdout).toContain(`Webhook: create a subscription at ${ledger.url}/webhooks/calcom`);
  expect(run.stdout).toContain(`! ${unmappedUid}`);
  const expected = await upcomingChains();
  expect(run.stdout).toContain(
    `Bookings: ${expected.length} to adopt (${expected.filter((chain) => chain.length > 1).length} with a reschedule chain), 0 already in the ledger, 1 unmapped`,
  );

  expect((await admin.get('/staff')).body.items).toEqual([]);
  expect((await admin.get('/services')).body.items).toEqual([]);
  expect((await admin.get('/appointments')).body.items).toEqual([]);
  expect(await calcom('/webhooks')).toEqual([]);
  expect((await admin.get('/calcom/connect')).body).toMatchObject({ calcomConfigured: true, linked: false });
}, 60_000);

it('connect maps the catalog, registers one subscription, adopts every upcoming booking once with its chain, lists the unmapped one and ends with a drift check', async () => {
  const run = await connectCli(build, ledger.url, ['--yes', '--days-back', String(DAYS_BACK)]);
  expect(run.stderr).not.toContain('failed');
  expect(run.code).toBe(2);
  expect(run.stdout).toContain(`Left unmapped (1): ${unmappedUid}`);
  expect(run.stdout).toMatch(/Drift check \S+ \(full, api\)/);
  expect(run.stderr).toMatch(/bookings: \d+ adopted, 0 to go/);

  await expectSalonCatalogMapped(admin);

  const webhooks = await calcom<{ subscriberUrl: string; active: boolean; triggers: string[] }[]>('/webhooks');
  expect(webhooks).toHaveLength(1);
  expect(webhooks[0]).toMatchObject({ subscriberUrl: `${ledger.url}/webhooks/calcom`, active: true });
  expect(webhooks[0].triggers).toEqual(expect.arrayContaining(['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']));

  const appointments = await appointmentsWithChains(admin);
  expect(sorted(appointments.map((appointment) => appointment.bookingUids))).toEqual(sorted(await upcomingChains()));
  expect(appointments.some((appointment) => appointment.bookingUids.length === 3)).toBe(true);
  expect(appointments.flatMap((appointment) => appointment.bookingUids)).not.toContain(unmappedUid);
  await eventually(async () => expect((await appointmentsWithChains(admin)).filter((appointment) => appointment.syncStatus !== 'synced')).toEqual([]), 30_000, 500);
  expect(await apiCallsThatChangedCalcom()).toEqual([]);
}, 120_000);

it('a customer booking made on Cal.com afterwards arrives through the registered subscription', async () => {
  const booked = await customer.book(101, lateEvening(5), { name: 'Cara Later', email: 'cara@example.com', timeZone: 'Europe/London' });
  const delivered = (await customer.state()).webhooks.filter((entry) => entry.uid === booked.uid) as { subscriptionId?: number; status: number | null }[];
  expect(delivered).toEqual([expect.objectContaining({ status: 200, subscriptionId: expect.any(Number) })]);
  await eventually(
    async () => {
      const chains = (await appointmentsWithChains(admin)).map((appointment) => appointment.bookingUids);
      expect(chains).toContainEqual([booked.uid]);
    },
    15_000,
    200,
  );
}, 60_000);

it('the drift check is clean but for the unmapped booking, and a second connect changes nothing', async () => {
  await eventually(
    async () => {
      const { items } = (await admin.post('/drift/check', { mode: 'full' })).body.report;
      expect(items.map((item: { kind: string; bookingUid: string }) => [item.kind, item.bookingUid])).toEqual([['unmapped', unmappedUid]]);
    },
    30_000,
    500,
  );
  const before = sorted((await appointmentsWithChains(admin)).map((appointment) => appointment.bookingUids));
  const run = await connectCli(build, ledger.url, ['--yes', '--days-back', String(DAYS_BACK)]);
  expect(run.code).toBe(2);
  expect(run.stdout).toContain('Staff: 0 to save, 3 unchanged');
  expect(run.stdout).toContain('Services: 0 to save, 4 unchanged');
  expect(run.stdout).toMatch(/Webhook: subscription \d+ as it is/);
  expect(run.stdout).toMatch(/Bookings: 0 to adopt \(0 with a reschedule chain\), \d+ already in the ledger, 1 unmapped/);
  expect(await calcom('/webhooks')).toHaveLength(1);
  expect(sorted((await appointmentsWithChains(admin)).map((appointment) => appointment.bookingUids))).toEqual(before);
}, 120_000);

it('an import killed halfway and run again ends the same as one that ran through', async () => {
  const other = await startConnectableLedger(sandbox, 'calcom_connect_killed');
  try {
    let killedAt = 0;
    const killed = await connectCli(build, other.ledger.url, ['--yes', '--days-back', String(DAYS_BACK), '--batch', '20'], (stderr, kill) => {
      const adopted = [...stderr.matchAll(/bookings: (\d+) adopted/g)].map((match) => Number(match[1])).at(-1) ?? 0;
      if (adopted >= 60 && !killedAt) {
        killedAt = adopted;
        kill();
      }
    });
    expect(killed.code).toBeNull();
    // The request in flight when the CLI died finishes on the ledger's side; the list shows it once projected.
    const partial = await eventually(
      async () => {
        const listed = await appointmentsWithChains(other.admin);
        expect(listed.length).toBeGreaterThanOrEqual(killedAt);
        return listed;
      },
      15_000,
      200,
    );
    expect(partial.length).toBeLessThan((await upcomingChains()).length);

    const rerun = await connectCli(build, other.ledger.url, ['--yes', '--days-back', String(DAYS_BACK), '--batch', '20']);
    expect(rerun.code).toBe(2);
    const [, toAdopt, already] = /Bookings: (\d+) to adopt \(\d+ with a reschedule chain\), (\d+) already in the ledger, 1 unmapped/.exec(rerun.stdout) ?? [];
    expect(Number(already)).toBeGreaterThanOrEqual(partial.length);
    expect(Number(toAdopt) + Number(already)).toBe((await upcomingChains()).length);
    const finished = sorted((await appointmentsWithChains(other.admin)).map((appointment) => appointment.bookingUids));
    expect(finished).toEqual(sorted(await upcomingChains()));
    expect(finished).toEqual(sorted((await appointmentsWithChains(admin)).map((appointment) => appointment.bookingUids)));
    expect((await calcom<{ subscriberUrl: string }[]>('/webhooks')).map((webhook) => webhook.subscriberUrl).sort()).toEqual(
      [`${ledger.url}/webhooks/calcom`, `${other.ledger.url}/webhooks/calcom`].sort(),
    );
  } finally {
    await other.ledger.close();
    await other.database.drop();
  }
}, 180_000);

it('on the database, with the ledger stopped: the same import, which the ledger then syncs and keeps up to date', async () => {
  const database = await createTestDatabase('calcom_connect_direct');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const direct = { DATABASE_URL: database.url, CALCOM_API_URL: sandbox.url, CALCOM_API_KEY: sandbox.apiKey };
  let started: Awaited<ReturnType<typeof startConnectableLedger>> | null = null;
  try {
    const run = await connectCli(build, publicUrl, ['--yes', '--days-back', String(DAYS_BACK)], undefined, direct);
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`Left unmapped (1): ${unmappedUid}`);
    expect(run.stdout).toMatch(/Drift check \S+ \(full, cli\)/);

    started = await startConnectableLedger(sandbox, 'unused', { existing: { database, port } });
    const chains = await eventually(
      async () => {
        const listed = await appointmentsWithChains(started!.admin);
        expect(listed.filter((appointment) => appointment.syncStatus !== 'synced')).toEqual([]);
        return listed;
      },
      30_000,
      500,
    );
    expect(sorted(chains.map((appointment) => appointment.bookingUids))).toEqual(sorted(await upcomingChains()));
    const booked = await customer.book(104, lateEvening(6), { name: 'Dora Direct', email: 'dora@example.com', timeZone: 'Europe/London' });
    await eventually(async () => expect((await appointmentsWithChains(started!.admin)).map((appointment) => appointment.bookingUids)).toContainEqual([booked.uid]), 15_000, 200);
    expect(await apiCallsThatChangedCalcom()).toEqual([]);
  } finally {
    await started?.ledger.close();
    await database.drop();
  }
}, 180_000);
