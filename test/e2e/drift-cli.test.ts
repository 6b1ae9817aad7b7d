import { defaultDriftSettings } from '../../apps/ledger/src/drift/drift.config.js';
import { runDriftCli } from '../../apps/ledger/src/drift/drift-cli.js';
import { startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { driftScenario, hoursLater } from '../support/drift-scenario.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** `npm run drift` exits 0 without drift, 2 with drift, 1 when it cannot check; against the database or a running ledger. */
let database: TestDatabase;
let world: LedgerWithSandbox;
let scenario: ReturnType<typeof driftScenario>;

beforeAll(async () => {
  database = await createTestDatabase('drift_cli');
  world = await startLedgerWithSandbox(database.url, { drift: { ...defaultDriftSettings, intervalMs: 0 } });
  scenario = driftScenario(world.admin, world.sandboxUrl);
});

afterAll(async () => {
  await world?.ledger.close();
  await database?.drop();
});

async function run(env: Record<string, string>, ...args: string[]) {
  const printed: string[] = [];
  const errors: string[] = [];
  const code = await runDriftCli(env, args, { log: (text) => printed.push(text), error: (text) => errors.push(text) });
  return { code, printed: printed.join('\n'), errors: errors.join('\n') };
}

const direct = () => ({ DATABASE_URL: database.url, CALCOM_API_URL: world.sandboxUrl, CALCOM_API_KEY: 'cal_sandbox_key' });
const api = (token = ADMIN_TOKEN) => ({ LEDGER_URL: world.ledger.url, LEDGER_TOKEN: token });

it('against the database and Cal.com directly: 0 when in step, 2 with the drift printed, and the check is on the record', async () => {
  const a = await scenario.synced('olivia', 'consultation');
  await eventually(async () => expect(await run(direct())).toMatchObject({ code: 0, printed: expect.stringContaining('No drift.') }), 15_000, 100);

  await scenario.silentEdit(a.uid, { start: hoursLater(a.startsAt, 5) });
  const drifted = await run(direct());
  expect(drifted).toMatchObject({ code: 2, errors: '' });
  expect(drifted.printed).toMatch(new RegExp(`time_mismatch\\s+${a.appointmentId}\\s+${a.uid}`));
  expect(drifted.printed).toContain('1 drift item(s): time_mismatch 1.');

  const json = await run(direct(), '--json');
  expect(json.code).toBe(2);
  const report = JSON.parse(json.printed);
  expect(report).toMatchObject({ trigger: 'cli', mode: 'full', items: [{ kind: 'time_mismatch', appointmentId: a.appointmentId }] });
  const history = await eventually(async () => {
    const { body } = await world.admin.get('/drift/history');
    expect(body.checks[0].checkId).toBe(report.checkId);
    return body;
  });
  expect(history.checks[0]).toMatchObject({ trigger: 'cli', driftCount: 1 });
});

it('through a running ledger’s API, the same verdicts; healing there makes it 0 again', async () => {
  const drifted = await run(api());
  expect(drifted.code).toBe(2);
  const item = drifted.printed.match(/time_mismatch\s+(\S+)/)!;
  expect((await scenario.heal(`time_mismatch:${item[1]}`, 'calcom')).status).toBe(200);
  await eventually(async () => expect((await run(api())).code).toBe(0), 15_000, 100);
});

it('exits 1 when it cannot check: Cal.com unreachable, no key, a token that may not check', async () => {
  expect(await run({ ...direct(), CALCOM_API_URL: 'http://127.0.0.1:9' })).toMatchObject({ code: 1, errors: expect.stringContaining('drift check failed') });
  expect(await run({ DATABASE_URL: database.url })).toMatchObject({ code: 1, errors: expect.stringContaining('CALCOM_API_KEY is required') });
  expect(await run(api(AUDITOR_TOKEN))).toMatchObject({ code: 1, errors: expect.stringContaining('403 FORBIDDEN') });
  await eventually(async () => {
    const { checks } = (await world.admin.get('/drift/history')).body;
    expect(checks[0]).toMatchObject({ outcome: 'failed', trigger: 'cli', error: { code: 'CALCOM_NETWORK' } });
  });
});
