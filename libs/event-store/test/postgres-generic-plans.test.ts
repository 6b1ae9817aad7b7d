import { hasEventsAfterQuery, readAllQuery } from '../src/postgres/postgres-event-store.queries.js';
import { decodePosition } from '../src/postgres/postgres-position.js';
import { eventually } from '#test-support/eventually';
import { newEvents, uniquePrefix } from './event-store.fixtures.js';
import { postgresStoreForFile } from './postgres-test-pool.js';
import type pg from 'pg';

/*
 * The store's reads are named statements: after five runs PostgreSQL may keep one generic plan for them, chosen
 * without the values. A reader at the head polls hundreds of times a second, so a generic plan that scans `events`
 * costs a whole-table read per poll (seen at 2.4M events: 6.7 s each). These tests force the generic plan and ask
 * how each statement would run.
 */

const postgres = postgresStoreForFile('generic_plans', 2);

async function genericPlan(query: pg.QueryConfig): Promise<string> {
  const client = await postgres.pool.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    await client.query(`PREPARE generic_plan_probe AS ${query.text}`);
    const values = (query.values ?? []).map((value) => (value === null ? 'NULL' : client.escapeLiteral(Array.isArray(value) ? `{${value.join(',')}}` : String(value))));
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE generic_plan_probe(${values.join(', ')})`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('DEALLOCATE generic_plan_probe').catch(() => undefined);
    await client.query('RESET plan_cache_mode').catch(() => undefined);
    client.release();
  }
}

describe('named reads keep an index plan when PostgreSQL plans them generically', () => {
  let head: ReturnType<typeof decodePosition>;

  beforeAll(async () => {
    const prefix = uniquePrefix();
    let last;
    for (let stream = 0; stream < 100; stream += 1) {
      last = await postgres.store.appendToStream(`${prefix}${stream}`, newEvents(100), { expectedRevision: 'no_stream' });
    }
    await postgres.pool.query('ANALYZE events');
    head = decodePosition(last!.position);
  });

  it('the poll for events after a position probes the global-order index instead of scanning events', async () => {
    const plan = await genericPlan(hasEventsAfterQuery(head));
    expect(plan).not.toMatch(/Seq Scan on events/);
    expect(plan).toMatch(/Index Only Scan using events_global_order|Index Scan using events_global_order/);
  });

  it('the poll still tells found from held back', async () => {
    const { rows } = await postgres.pool.query<{ found: boolean; held: boolean }>(hasEventsAfterQuery(head));
    expect(rows[0]).toEqual({ found: false, held: false });
    const before = decodePosition((await postgres.store.appendToStream(`${uniquePrefix()}one`, newEvents(1), { expectedRevision: 'no_stream' })).position);
    const earlier = { transactionId: before.transactionId - 1n, globalPosition: 0n };
    // Another test file's transaction on the same server may hold the horizon for a moment: held, then found.
    const { rows: after } = await postgres.pool.query<{ found: boolean; held: boolean }>(hasEventsAfterQuery(earlier));
    expect(after[0].held).toBe(true);
    await eventually(async () => {
      const { rows } = await postgres.pool.query<{ found: boolean; held: boolean }>(hasEventsAfterQuery(earlier));
      expect(rows[0]).toEqual({ found: true, held: true });
    });
  });

  it('a page of readAll from the head reads the global-order index', async () => {
    const plan = await genericPlan(readAllQuery(head, 2000, null));
    expect(plan).not.toMatch(/Seq Scan on events/);
  });
});
