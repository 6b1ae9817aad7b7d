import { BatchRoundTrips, type SqlConnection } from '../src/batch-round-trips.js';
import { insertRows, type ReadModelTable, updateRows, upsertRows } from '../src/read-model-table.js';
import { openTestLedger, type TestLedger } from './read-model.fixture.js';

/**
 * The live projector's way of sending a batch: writes held back, their parameters written inline as literals, and
 * sent together with the next load or the closing statements. What arrives must be exactly what parameters carry.
 */
interface Row {
  id: string;
  label: string | null;
  tags: string[] | null;
  details: unknown;
  version: number;
}

const table: ReadModelTable<Row> = {
  name: 'batch_round_trips_test',
  columns: { id: 'text', label: 'text', tags: 'jsonb', details: 'jsonb', version: 'integer' },
  key: 'id',
  guard: 'version',
};

/** Text that literals and array literals quote or escape; the last one is too large to go inline. */
const awkward = ['', 'NULL', 'null', "'", "''", '"', '\\', "\\'", '\\"', "E'x'", '$1', '$2::text', '{a,b}', 'a,b', ' spaced ', '\t\n\r', '€ 😀 ﬁ', 'x'.repeat(100_000)];

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await openTestLedger();
  await ledger.readModel.query(`CREATE TABLE ${table.name} (id text PRIMARY KEY, label text, tags jsonb, details jsonb, version integer NOT NULL)`);
});

afterAll(() => ledger?.close());

beforeEach(() => ledger.readModel.query(`DELETE FROM ${table.name}`));

const read = (): Promise<Row[]> => ledger.readModel.query(`SELECT id, label, tags, details, version FROM ${table.name} ORDER BY id`);

/** Runs `work` on a BatchRoundTrips over one connection, closing with `closing`; returns the texts sent. */
async function inBatch(work: (batch: BatchRoundTrips) => Promise<void>, closing: { sql: string; parameters: unknown[] }[] = []): Promise<string[]> {
  const runner = ledger.readModel.createQueryRunner();
  const sent: string[] = [];
  try {
    const connection = (await runner.connect()) as SqlConnection;
    const spied: SqlConnection = {
      query: (sql, parameters) => {
        sent.push(sql);
        return connection.query(sql, parameters);
      },
    };
    const batch = new BatchRoundTrips(spied, []);
    await work(batch);
    await batch.finish(closing);
  } finally {
    await runner.release();
  }
  return sent;
}

test('awkward text and JSON written inline arrive exactly as parameters would carry them', async () => {
  const rows: Row[] = awkward.map((label, index) => ({
    id: `id-${String(index).padStart(2, '0')}`,
    label,
    tags: index % 3 === 0 ? null : [label, `${label}"`],
    details: index % 2 ? { [label]: [label, null, index] } : null,
    version: 1,
  }));
  await inBatch((batch) => insertRows(batch, table, rows));
  expect(await read()).toEqual(rows);

  const moved = rows.map((row) => ({ ...row, label: `${row.label}!`, version: 2 }));
  await inBatch(async (batch) => {
    await upsertRows(batch, table, moved.slice(0, 5));
    await updateRows(batch, table, moved.slice(5));
  });
  expect(await read()).toEqual(moved);
});

test('small writes travel together with the closing statements, in the order given, in one round trip', async () => {
  const sent = await inBatch(
    async (batch) => {
      await insertRows(batch, table, [{ id: 'a', label: 'one', tags: null, details: null, version: 1 }]);
      await updateRows(batch, table, [{ id: 'a', label: 'two', version: 2 }]);
    },
    [{ sql: `UPDATE ${table.name} SET label = label || $1 WHERE id = $2`, parameters: ['!', 'a'] }],
  );
  expect(sent).toHaveLength(1);
  expect(await read()).toEqual([{ id: 'a', label: 'two!', tags: null, details: null, version: 2 }]);
});

test('a load sees the writes held back before it, and returns its own rows', async () => {
  let loaded: unknown[] = [];
  const sent = await inBatch(async (batch) => {
    await insertRows(batch, table, [{ id: 'b', label: "it's", tags: null, details: null, version: 1 }]);
    loaded = await batch.query(`SELECT id, label FROM ${table.name} WHERE id = ANY($1::text[])`, [['b', 'c']]);
  });
  expect(loaded).toEqual([{ id: 'b', label: "it's" }]);
  // The write went with the load; nothing was left to close with.
  expect(sent).toHaveLength(1);
});
