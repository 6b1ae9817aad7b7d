import pg from 'pg';

export interface Trace {
  table: string;
  column: string;
  trace: string;
}

/** Column types that can hold text: text, varchar, char, name, json, jsonb, bytea, and arrays of them. */
const TEXT_TYPES = ['text', 'varchar', 'bpchar', 'name', 'json', 'jsonb', 'bytea', '_text', '_varchar', '_json', '_jsonb'];

/**
 * Where in a database any of the texts appear, case-insensitively: every column of a text-holding type of every base
 * table of every schema, as the catalog lists them (not a list of tables someone thought of). bytea is searched as
 * escaped ASCII, so ASCII texts are found in it too.
 */
export async function tracesInDatabase(pool: pg.Pool, traces: readonly string[]): Promise<{ traces: Trace[]; tables: string[] }> {
  const { rows: columns } = await pool.query<{ schema: string; table: string; column: string; type: string }>(
    `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column, c.udt_name AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.table_schema NOT LIKE 'pg_toast%' AND c.udt_name = ANY($1)`,
    [TEXT_TYPES],
  );
  const found: Trace[] = [];
  for (const { schema, table, column, type } of columns) {
    const name = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
    const text = type === 'bytea' ? `encode(${pg.escapeIdentifier(column)}, 'escape')` : `${pg.escapeIdentifier(column)}::text`;
    for (const trace of traces) {
      const { rows } = await pool.query(`SELECT 1 FROM ${name} WHERE strpos(lower(${text}), lower($1)) > 0 LIMIT 1`, [trace]);
      if (rows.length > 0) found.push({ table: `${schema}.${table}`, column, trace });
    }
  }
  return { traces: found, tables: [...new Set(columns.map((column) => `${column.schema}.${column.table}`))] };
}
