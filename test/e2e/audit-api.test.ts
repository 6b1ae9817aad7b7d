import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AuditAnchorSchedule } from '../../apps/ledger/src/audit/audit-anchor.schedule.js';
import { runAuditVerifyCli } from '../../apps/ledger/src/audit/audit-verify-cli.js';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { openEventStore, type OpenedEventStore, type NewEvent } from '#event-store';
import { eventually } from '../support/eventually.js';
import { LedgerClient } from '../support/ledger-client.js';
import { ADMIN_TOKEN, AUDITOR_TOKEN, startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** `/audit/verify`, `/audit/anchors`, `/audit/export` and `npm run audit:verify` on a ledger started as users start it. */
let database: TestDatabase;
let ledger: RunningLedger;
let events: OpenedEventStore;
let pool: pg.Pool;
let admin: LedgerClient;
let auditor: LedgerClient;

const HOSTILE_REASON = '=HYPERLINK("http://evil.test","click"), "quoted"\nnext line';

function event(index: number, overrides: Partial<NewEvent['metadata']> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'AppointmentNoted',
    data: { index, note: index % 7 === 0 ? '+1 @sum(A1) -2 "comma, quote"' : `note ${index}` },
    metadata: {
      actor: index % 5 === 0 ? '@admin:mallory' : 'admin:alice',
      source: 'admin',
      correlationId: randomUUID(),
      causationId: index % 2 ? randomUUID() : null,
      reason: index === 3 ? HOSTILE_REASON : null,
      ...overrides,
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase('audit_api');
  ledger = await startTestLedger(database.url);
  events = await openEventStore({ postgresUrl: database.url, poolSize: 2 });
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  admin = new LedgerClient(ledger.url, ADMIN_TOKEN);
  auditor = new LedgerClient(ledger.url, AUDITOR_TOKEN);
  // More than two export pages (1,000 events each), spread over streams, one call at a time and in batches.
  for (let stream = 0; stream < 25; stream++) {
    await events.store.appendToStream(
      `appointment-audit-${stream}`,
      Array.from({ length: 100 }, (_, index) => event(stream * 100 + index)),
    );
  }
  for (let index = 0; index < 10; index++) await events.store.appendToStream(`appointment-audit-${index}`, [event(index)]);
});

afterAll(async () => {
  await events?.close();
  await pool?.end();
  await ledger?.close();
  await database?.drop();
});

async function storedOrder(): Promise<Array<{ event_id: string; position: string; hash: string }>> {
  const { rows } = await pool.query(`SELECT event_id, transaction_id::text || ':' || global_position AS position, hash FROM events
                                      ORDER BY events.transaction_id, events.global_position`);
  return rows;
}

/** The body as text: LedgerClient would parse a JSON-lines answer as one JSON document. */
async function exportText(query: string): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${ledger.url}/audit/export${query}`, { headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

/** RFC 4180, enough for the test: quoted cells with doubled quotes and line breaks inside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') endCell();
    else if (char === '\r' && text[index + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      index++;
    } else cell += char;
  }
  return rows;
}

describe('GET /audit/export', () => {
  test('JSON lines: every event once, in the global order, with actor, source, ids, reason and hash', async () => {
    const { status, text, type } = await exportText('?format=jsonl');

    expect(status).toBe(200);
    expect(type).toContain('application/x-ndjson');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const stored = await storedOrder();
    expect(lines.map((line) => [line.eventId, line.position, line.hash])).toEqual(stored.map((row) => [row.event_id, row.position, row.hash]));
    expect(new Set(lines.map((line) => line.eventId)).size).toBe(stored.length);
    expect(stored.length).toBeGreaterThanOrEqual(2510);
    const hostile = lines.find((line) => line.reason === HOSTILE_REASON);
    expect(hostile).toMatchObject({ actor: 'admin:alice', source: 'admin', correlationId: expect.any(String), type: 'AppointmentNoted', data: { index: 3 } });
  });

  test('CSV: the same events and order, quoted properly, formulas neutralised', async () => {
    const { status, body, headers } = await auditor.get('/audit/export?format=csv');

    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = parseCsv(body as string);
    // The columns are a published format: written out here, not taken from the code that writes them.
    expect(header).toEqual('position recordedAt streamName revision eventId type actor source correlationId causationId reason hash data metadata'.split(' '));
    expect(rows.map((row) => row[4])).toEqual((await storedOrder()).map((row) => row.event_id));
    const hostile = rows.find((row) => row[10].includes('HYPERLINK'))!;
    expect(hostile[10]).toBe(`'${HOSTILE_REASON}`);
    expect(rows.filter((row) => row[6].startsWith('@'))).toEqual([]);
    expect(rows.filter((row) => row[6] === "'@admin:mallory").length).toBeGreaterThan(0);
    expect(JSON.parse(rows.find((row) => row[12].includes('sum(A1)'))![12])).toMatchObject({ note: '+1 @sum(A1) -2 "comma, quote"' });
  });

  test('a range by position or by time holds exactly the events in it', async () => {
    const stored = await storedOrder();
    const from = stored[99].position;
    const to = stored[1499].position;

    const { text } = await exportText(`?from=${from}&to=${to}`);
    const ids = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).eventId);
    expect(ids).toEqual(stored.slice(100, 1500).map((row) => row.event_id));

    const late = await exportText(`?from=${encodeURIComponent('2199-01-01T00:00:00Z')}`);
    expect(late).toMatchObject({ status: 200, text: '' });
    const all = await auditor.get(`/audit/export?from=${encodeURIComponent('2000-01-01T00:00:00+01:00')}&to=${encodeURIComponent('2199-01-01T00:00:00Z')}&format=csv`);
    expect(parseCsv(all.body as string)).toHaveLength(stored.length + 1);
  });

  test.each([
    ['format=xml'],
    ['format=jsonl&format=csv'],
    ['from=1:2:3'],
    ['from=%00'],
    ['from=-1:5'],
    ['to=99999999999999999999:1'],
    ['from=__proto__'],
    [`from=${'9'.repeat(200)}`],
    ['from=2030-02-30T00:00:00Z'],
    ['from=%F0%9F%98%80'],
    ['from[]=1'],
  ])('?%s is refused with 400 and the error body', async (query) => {
    const { status, body } = await auditor.get(`/audit/export?${query}`);

    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  test('needs a token', async () => {
    expect((await auditor.as(undefined).get('/audit/export')).status).toBe(401);
  });
});

describe('anchors and GET /audit/verify', () => {
  test('an admin takes an anchor, an auditor lists it but may not take one', async () => {
    expect((await auditor.post('/audit/anchors')).status).toBe(403);
    // An anchor covers events whose place is final: a transaction open elsewhere on the server holds it back a moment.
    const expected = (await storedOrder()).length;
    const { status, body } = await eventually(async () => {
      const answer = await admin.post('/audit/anchors');
      expect(answer.body.anchor?.eventCount).toBe(expected);
      return answer;
    });

    expect(status).toBe(200);
    expect(body.anchor).toMatchObject({ eventCount: expected, headHash: expect.stringMatching(/^[0-9a-f]{64}$/), reason: 'on-demand' });
    const listed = await auditor.get('/audit/anchors');
    expect(listed.body.anchors[0]).toEqual(body.anchor);
  });

  test('an intact ledger verifies, against a kept anchor too; a made-up anchor does not', async () => {
    const {
      body: {
        anchors: [anchor],
      },
    } = await auditor.get('/audit/anchors?limit=1');

    const { status, body } = await auditor.get('/audit/verify');
    expect(status).toBe(200);
    expect(body).toMatchObject({ intact: true, checkedEvents: (await storedOrder()).length, problem: null });
    expect((await auditor.get(`/audit/verify?anchor=${anchor.position}:${anchor.headHash}`)).body).toMatchObject({ intact: true });
    expect((await auditor.get(`/audit/verify?anchor=${anchor.position}:${'a'.repeat(64)}`)).body).toMatchObject({ intact: false, problem: { kind: 'anchor-mismatch' } });
  });

  test.each(['anchor=abc', 'anchor=1:2', `anchor=1:2:${'A'.repeat(64)}`, 'from=x', 'to=1:2&to=3:4', 'limit=0'])('?%s is refused with 400', async (query) => {
    const path = query.startsWith('limit') ? '/audit/anchors' : '/audit/verify';
    const { status, body } = await auditor.get(`${path}?${query}`);

    expect(status).toBe(400);
    expect(body.error.code).toBe('VALIDATION_FAILED');
  });

  test('the daily schedule takes anchors from its start (on the leader), listed for auditors', async () => {
    await events.store.appendToStream('appointment-audit-daily', [event(9999)]);
    // A short interval instead of a day: if a transaction open elsewhere held the first one back, the next one covers it.
    const schedule = new AuditAnchorSchedule(events.audit!, false, 50);
    try {
      schedule.start();
      await eventually(
        async () => {
          const { body } = await auditor.get('/audit/anchors?limit=1');
          expect(body.anchors[0]).toMatchObject({ reason: 'daily', eventCount: (await storedOrder()).length });
        },
        10_000,
        50,
      );
    } finally {
      await schedule.stop();
    }
  });

  test('npm run audit:verify: 0 when intact, 1 when it cannot check', async () => {
    const run = async (...args: string[]) => {
      const printed: string[] = [];
      const errors: string[] = [];
      const code = await runAuditVerifyCli({ DATABASE_URL: database.url }, args, { log: (text) => printed.push(text), error: (text) => errors.push(text) });
      return { code, printed: printed.join('\n'), errors: errors.join('\n') };
    };

    expect(await run()).toMatchObject({ code: 0, printed: expect.stringMatching(new RegExp(`^intact: ${(await storedOrder()).length} events`)) });
    expect(await run('--from', 'nonsense')).toMatchObject({ code: 1, errors: expect.stringContaining('from must be a position') });
    expect(await run('--bogus')).toMatchObject({ code: 1 });
  });

  test('after one stored byte is changed by SQL, the API and the command name that event (exit 2)', async () => {
    const [, , victim] = await storedOrder();
    await pool.query(`UPDATE events SET data = jsonb_set(data, '{index}', to_jsonb((data->>'index')::int + 1)) WHERE event_id = $1`, [victim.event_id]);

    const { body } = await auditor.get('/audit/verify');
    expect(body).toMatchObject({ intact: false, problem: { kind: 'changed', event: { eventId: victim.event_id, position: victim.position } } });
    const printed: string[] = [];
    const code = await runAuditVerifyCli({ DATABASE_URL: database.url }, ['--json'], { log: (text) => printed.push(text), error: () => undefined });
    expect(code).toBe(2);
    expect(JSON.parse(printed[0]).problem.event.eventId).toBe(victim.event_id);
  });
});
