import type { ReadModelSql } from './read-model.js';

/** PostgreSQL types of read-model columns, as `unnest` takes them. */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamptz' | 'jsonb';

/**
 * A read-model table as the projections write it: its columns and their types, the key a replay lands on, and the
 * column that only moves forward (`version` or a revision), which is what makes a replay harmless.
 */
export interface ReadModelTable<Row extends object> {
  name: string;
  columns: { readonly [K in keyof Row]: ColumnType };
  /** The primary key, where rows are upserted or updated; a table only ever inserted into may leave it out. */
  key?: keyof Row & string;
  guard?: keyof Row & string;
}

type Expressions<Row> = Partial<Record<keyof Row & string, string>>;

/*
 * The one way read-model rows are written in bulk, whatever the batch size: one array per column through `unnest`,
 * which PostgreSQL parses several times faster than a JSON recordset. A JSON column goes as one JSON array instead of
 * a `jsonb[]` literal: escaping every quote of every document for the array literal cost the projector more than the
 * rest of the row (measured: 40 % less client CPU per appointment insert, the same on the server). The columns
 * written are the first row's keys (every row of a call has the same ones), each checked against the table's
 * definition, so no other name reaches SQL.
 */

/** Rows keyed by ids from their events: a row that exists already was written by the same event (a replay). */
export async function insertRows<Row extends object, Given extends keyof Row & string>(
  manager: ReadModelSql,
  table: ReadModelTable<Row>,
  rows: readonly Pick<Row, Given>[],
): Promise<void> {
  if (rows.length === 0) return;
  const { columns, source, parameters } = rowSource(table, rows);
  await write(manager, `INSERT INTO ${table.name} (${columns}) SELECT * FROM ${source('r')} ON CONFLICT DO NOTHING`, parameters);
}

/**
 * New rows are inserted; an existing row is overwritten only by a newer one (`guard` greater), so events seen again
 * never put a row back. A table without a guard holds what the latest fold says, so its rows are overwritten where
 * they differ (and only there: an unchanged row is not rewritten). `update` names the columns an overwrite sets
 * (default: all but the key).
 */
export async function upsertRows<Row extends object, Given extends keyof Row & string>(
  manager: ReadModelSql,
  table: ReadModelTable<Row>,
  rows: readonly Pick<Row, Given>[],
  update?: readonly (keyof Row & string)[],
): Promise<void> {
  if (rows.length === 0) return;
  const key = keyOf(table);
  const { columns, source, parameters, given } = rowSource(table, rows);
  const overwritten = update ?? given.filter((column) => column !== key);
  const newer = table.guard
    ? `t.${table.guard} < EXCLUDED.${table.guard}`
    : `(${overwritten.map((column) => `t.${column}`).join(', ')}) IS DISTINCT FROM (${overwritten.map((column) => `EXCLUDED.${column}`).join(', ')})`;
  await write(
    manager,
    `INSERT INTO ${table.name} AS t (${columns}) SELECT * FROM ${source('r')}
     ON CONFLICT (${key}) DO UPDATE SET ${overwritten.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
      WHERE ${newer}`,
    parameters,
  );
}

/**
 * Moves existing rows forward: each row of `rows` (the key, the guard and the columns to set, the same ones in every
 * row) updates the table's row with that key if it is older. `set` replaces `r.<column>` for a column by an expression
 * over `t` (the table's row) and `r` (the new one), e.g. keep the old value when the new one is null.
 */
export async function updateRows<Row extends object, Given extends keyof Row & string>(
  manager: ReadModelSql,
  table: ReadModelTable<Row>,
  rows: readonly Pick<Row, Given>[],
  set: Expressions<Row> = {},
): Promise<void> {
  if (rows.length === 0) return;
  const key = keyOf(table);
  const guard = guardOf(table);
  const { source, parameters, given } = rowSource(table, rows);
  const assignments = given.filter((column) => column !== key).map((column) => `${column} = ${set[column] ?? `r.${column}`}`);
  await write(
    manager,
    `UPDATE ${table.name} AS t SET ${assignments.join(', ')} FROM ${source('r')}
      WHERE t.${key} = r.${key} AND t.${guard} < r.${guard}`,
    parameters,
  );
}

/** Every write of a read-model table goes here: held back to travel with the batch's next round trip where it can be. */
function write(manager: ReadModelSql, sql: string, parameters: unknown[]): Promise<unknown> {
  return manager.write ? manager.write(sql, parameters) : manager.query(sql, parameters);
}

function rowSource<Row extends object, Given extends keyof Row & string>(
  table: ReadModelTable<Row>,
  rows: readonly Pick<Row, Given>[],
): { columns: string; source: (alias: string) => string; parameters: unknown[]; given: Given[] } {
  const given = Object.keys(rows[0]) as Given[];
  for (const column of given) if (!Object.hasOwn(table.columns, column)) throw new Error(`${table.name} has no column ${column}`);
  const types = given.map((column) => table.columns[column]);
  const parameters = given.map((column, index) => (types[index] === 'jsonb' ? JSON.stringify(rows.map((row) => row[column] ?? null)) : rows.map((row) => row[column] ?? null)));
  return {
    columns: given.join(', '),
    source: (alias) => `unnest(${types.map((type, index) => columnArray(type, index + 1)).join(', ')}) AS ${alias}(${given.join(', ')})`,
    parameters,
    given,
  };
}

/**
 * The array `unnest` takes for one column, from parameter `$n`. A JSON array's elements keep their order (ORDINALITY);
 * its `null`s are SQL NULLs, as a null or missing value of any other column is.
 */
function columnArray(type: ColumnType, n: number): string {
  if (type !== 'jsonb') return `$${n}::${type}[]`;
  return `ARRAY(SELECT nullif(e.value, 'null'::jsonb) FROM jsonb_array_elements($${n}::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n)`;
}

function keyOf<Row extends object>(table: ReadModelTable<Row>): string {
  if (!table.key) throw new Error(`${table.name} has no key to find a row by`);
  return table.key;
}

function guardOf<Row extends object>(table: ReadModelTable<Row>): string {
  if (!table.guard) throw new Error(`${table.name} has no column that only moves forward`);
  return table.guard;
}
