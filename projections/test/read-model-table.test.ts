import { insertRows, type ReadModelTable, updateRows, upsertRows } from '../src/read-model-table.js';
import { openTestLedger, type TestLedger } from './read-model.fixture.js';

/**
 * The one bulk writer every read model uses, on a table of its own in the real read-model database: values that are
 * awkward for PostgreSQL's array syntax (which `unnest` parameters travel in) come back exactly, and the guard only
 * ever lets a row move forward.
 */
interface Row {
  id: string;
  label: string | null;
  details: unknown;
  at: string | null;
  version: number;
}

const table: ReadModelTable<Row> = {
  name: 'read_model_table_test',
  columns: { id: 'text', label: 'text', details: 'jsonb', at: 'timestamptz', version: 'integer' },
  key: 'id',
  guard: 'version',
};

/** Text that array literals quote or escape, and JSON that is not an object. */
const awkward = ['', 'NULL', 'null', '"', '\\', '\\"', '{', '}', '{a,b}', 'a,b', ' spaced ', '\t\n\r', "it's", '€ 😀 ﬁ', '__proto__', 'x'.repeat(100_000)];
const awkwardJson: unknown[] = [null, 'text', 0, [], [[1, [2]], '{'], { __proto__: null, 'a"b': '\\' }, { nested: { deeper: [null, true] } }];

let ledger: TestLedger;

beforeAll(async () => {
  ledger = await openTestLedger();
  await ledger.readModel.query(`CREATE TABLE ${table.name} (id text PRIMARY KEY, label text, details jsonb, at timestamptz, version integer NOT NULL)`);
});

afterAll(() => ledger?.close());

beforeEach(() => ledger.readModel.query(`DELETE FROM ${table.name}`));

const read = (): Promise<Row[]> =>
  ledger.readModel.query(`SELECT id, label, details, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, version FROM ${table.name} ORDER BY id`);

test('awkward text and JSON round-trip exactly through every write', async () => {
  const rows: Row[] = awkward.map((label, index) => ({
    id: `id-${String(index).padStart(2, '0')}`,
    label,
    details: awkwardJson[index % awkwardJson.length],
    at: index % 2 ? null : '2030-01-02T03:04:05.678Z',
    version: 1,
  }));
  await insertRows(ledger.readModel.manager, table, rows);
  // A JSON null is stored as SQL NULL, read back as null: the same thing to every reader of these tables.
  expect(await read()).toEqual(rows);

  const moved = rows.map((row) => ({ ...row, label: `${row.label}!`, version: 2 }));
  await upsertRows(ledger.readModel.manager, table, moved);
  expect((await read()).map(({ label }) => label)).toEqual(moved.map(({ label }) => label));

  await updateRows(
    ledger.readModel.manager,
    table,
    moved.map(({ id, label }) => ({ id, label: label!.toUpperCase(), version: 3 })),
  );
  expect((await read()).map(({ label, version }) => [label, version])).toEqual(moved.map(({ label }) => [label!.toUpperCase(), 3]));
});

test('a JSON column keeps each value with its own row in a large batch, and a null value is SQL NULL', async () => {
  // JSON columns travel as one JSON array next to the other columns' arrays: element i must land in row i.
  const rows: Row[] = Array.from({ length: 2_500 }, (_, index) => ({
    id: `id-${String(index).padStart(5, '0')}`,
    label: String(index),
    details: index % 3 === 0 ? null : { index, inner: [null, { index }] },
    at: null,
    version: 1,
  }));
  await upsertRows(ledger.readModel.manager, table, rows);
  expect(await read()).toEqual(rows);
  const [counts] = await ledger.readModel.query(
    `SELECT count(*) FILTER (WHERE details IS NULL)::int AS missing, count(*) FILTER (WHERE details ->> 'index' = label)::int AS matching FROM ${table.name}`,
  );
  // A null value is SQL NULL (as for every other column), not the JSON document `null`.
  expect(counts).toEqual({ missing: 834, matching: 2_500 - 834 });
});

test('a row only moves forward: an older or equal version changes nothing, a replayed insert adds nothing', async () => {
  await upsertRows(ledger.readModel.manager, table, [{ id: 'a', label: 'v5', details: { n: 5 }, at: null, version: 5 }]);
  await upsertRows(ledger.readModel.manager, table, [{ id: 'a', label: 'v4', details: { n: 4 }, at: null, version: 4 }]);
  await upsertRows(ledger.readModel.manager, table, [{ id: 'a', label: 'v5 again', details: { n: 5 }, at: null, version: 5 }]);
  await updateRows(ledger.readModel.manager, table, [{ id: 'a', label: 'v3', version: 3 }]);
  await insertRows(ledger.readModel.manager, table, [{ id: 'a', label: 'first', details: null, at: null, version: 1 }]);
  expect(await read()).toEqual([{ id: 'a', label: 'v5', details: { n: 5 }, at: null, version: 5 }]);

  // `set` keeps the old value where the new one is null; an update of a row that does not exist adds nothing.
  await updateRows(
    ledger.readModel.manager,
    table,
    [
      { id: 'a', label: null, version: 6 },
      { id: 'missing', label: 'x', version: 9 },
    ],
    { label: 'coalesce(r.label, t.label)' },
  );
  expect(await read()).toEqual([{ id: 'a', label: 'v5', details: { n: 5 }, at: null, version: 6 }]);
});

test('only the columns the table defines reach SQL; an empty batch sends nothing', async () => {
  const hostile = { id: 'b', version: 1, 'label) VALUES (1); DROP TABLE staff; --': 'x' } as unknown as Row;
  await expect(insertRows(ledger.readModel.manager, table, [hostile])).rejects.toThrow(`read_model_table_test has no column label) VALUES`);
  for (const inherited of ['__proto__', 'constructor', 'toString']) {
    const row = JSON.parse(`{"id": "c", "version": 1, "${inherited}": "x"}`) as Row;
    await expect(upsertRows(ledger.readModel.manager, table, [row])).rejects.toThrow(`read_model_table_test has no column ${inherited}`);
  }
  const calls: string[] = [];
  const counting = { query: (sql: string) => calls.push(sql) } as unknown as typeof ledger.readModel.manager;
  await insertRows(counting, table, []);
  await upsertRows(counting, table, []);
  await updateRows(counting, table, []);
  expect(calls).toEqual([]);
  expect(await ledger.readModel.query(`SELECT count(*)::int AS n FROM staff`)).toEqual([{ n: expect.any(Number) }]);
});
