import type { ReadModelSql } from './read-model.js';

/** The one thing asked of the connection: pg's `client.query`, which answers a multi-statement text with one result per statement. */
export interface SqlConnection {
  query(sql: string, parameters?: unknown[]): Promise<{ rows: unknown[] } | { rows: unknown[] }[]>;
}

/**
 * Parameters up to about this many characters are written into the statement as literals, so it can travel with
 * others in one round trip. Larger ones (a catch-up page) go as parameters in a round trip of their own: there the
 * round trip is small against the work, and PostgreSQL reads a parameter faster than it scans a long literal.
 */
const INLINE_LIMIT = 64 * 1024;

/**
 * A live batch's statements in as few round trips as the loads allow: writes, and the transaction's opening, are held
 * back and sent in one multi-statement text with the next load, or with the checkpoint and COMMIT at the end. Under a
 * stream of one-event batches this is one or two round trips per batch instead of one per statement, which is what
 * a command waiting for the read models feels. The statements still run in the order given, one after the other.
 */
export class BatchRoundTrips implements ReadModelSql {
  private held: string[] = [];

  constructor(
    private readonly connection: SqlConnection,
    opening: readonly string[],
  ) {
    this.held.push(...opening);
  }

  async query<Rows = unknown[]>(sql: string, parameters: unknown[] = []): Promise<Rows> {
    const inlined = inline(sql, parameters);
    if (inlined === null) {
      await this.flush();
      return rowsOf(await this.connection.query(sql, parameters)) as Rows;
    }
    return rowsOf(await this.send([...this.held, inlined])) as Rows;
  }

  async write(sql: string, parameters: unknown[]): Promise<void> {
    const inlined = inline(sql, parameters);
    if (inlined !== null) {
      this.held.push(inlined);
      return;
    }
    await this.flush();
    await this.connection.query(sql, parameters);
  }

  /** Sends what is held back followed by the closing statements (the checkpoint, COMMIT). */
  async finish(closing: { sql: string; parameters: unknown[] }[]): Promise<void> {
    const statements = [...this.held, ...closing.map(({ sql, parameters }) => inline(sql, parameters) ?? fail(sql))];
    if (statements.length > 0) await this.send(statements);
  }

  private async flush(): Promise<void> {
    if (this.held.length > 0) await this.send(this.held);
  }

  private async send(statements: string[]): Promise<{ rows: unknown[] } | { rows: unknown[] }[]> {
    this.held = [];
    return this.connection.query(statements.join(';\n'));
  }
}

/** The rows of the last statement of a multi-statement answer (or of the only one). */
function rowsOf(result: { rows: unknown[] } | { rows: unknown[] }[]): unknown[] {
  return Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows;
}

function fail(sql: string): never {
  throw new Error(`A closing statement of a batch has parameters too large to write inline: ${sql.slice(0, 80)}`);
}

/**
 * The statement with `$n` replaced by its parameter as a literal, or null when the parameters are too large for that.
 * Only the projections' own SQL comes here, which never has `$` but in placeholders.
 */
export function inline(sql: string, parameters: readonly unknown[]): string | null {
  let size = 0;
  for (const parameter of parameters) size += approximateLength(parameter);
  if (size > INLINE_LIMIT) return null;
  return sql.replace(/\$(\d+)/g, (_, index: string) => literal(parameters[Number(index) - 1]));
}

function approximateLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (!Array.isArray(value)) return 8;
  let length = 0;
  for (const element of value) length += typeof element === 'string' ? element.length + 3 : 8;
  return length;
}

/**
 * A value as node-postgres would send it, as an SQL literal: null as NULL, an array as an array literal, a Date in
 * ISO form, an object as JSON. The escape-string form (E'…') reads the same whatever standard_conforming_strings says.
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `E'${textOf(value).replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

function textOf(value: unknown): string {
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return textOf(value);
  return `"${textOf(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
