import type { DataSource } from 'typeorm';
import type { SqlPool } from '#database';

/**
 * The hot reads of the HTTP API (the desk's list, the calendar's week, the calendar check under the staff lock) go
 * straight to the read models' own connection pool as one parameterised statement: TypeORM's query path (a query
 * runner per call, the query builder's SQL and entity hydration, a Date per timestamp) cost more CPU than the query.
 */
export class ReadModelSql {
  constructor(private readonly dataSource: DataSource) {}

  async rows<Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool().query(text, values as unknown[])).rows as Row[];
  }

  /** The pool under the DataSource (TypeORM's PostgreSQL driver keeps it as `master`), once the DataSource is open. */
  private pool(): SqlPool {
    return (this.dataSource.driver as unknown as { master: SqlPool }).master;
  }
}

/** A `timestamptz` as the text `Date.prototype.toISOString` gives for it (milliseconds, UTC, `Z`), made by the server. */
export const isoText = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Builds a WHERE clause whose values travel as `$n` parameters, numbered in the order they are added. */
export class SqlConditions {
  readonly values: unknown[] = [];
  private readonly parts: string[] = [];

  /** `$n` for the value, to write into a condition. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  and(condition: string): void {
    this.parts.push(condition);
  }

  get where(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}
