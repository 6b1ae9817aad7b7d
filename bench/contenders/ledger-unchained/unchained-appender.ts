import type pg from 'pg';
import { ERASED, personalDataOf } from '#domain';
import { PersonalDataEventStore, PersonalDataProtection, type ExpectedRevision, type NewEvent } from '#event-store';
import { PostgresCustomerKeys, PostgresEventStore, UNCHAINED_APPEND_TO_STREAM } from '#event-store/postgres';
import type { Appender } from '../../appends/appender.js';
import { openBenchPool } from '../bench-pool.js';
import { appenderOver } from '../ledger/ledger-appender.js';

/**
 * The store as it appended before the hash chain: JSON.stringify instead of canonical JSON, no content digests, and
 * append_to_stream without its hashing (UNCHAINED_APPEND_TO_STREAM, installed in this contender's database only).
 * Everything else is the ledger contender's: the same adapter, statement, retries, notifier and personal-data sealing.
 */
class UnchainedPostgresEventStore extends PostgresEventStore {
  protected override appendStatement(streamName: string, events: NewEvent[], expected: ExpectedRevision): pg.QueryConfig {
    return {
      name: 'event_store_append',
      text: 'SELECT appended_revision, appended_transaction_id, appended_global_position FROM append_to_stream($1, $2, $3, $4, $5, $6, $7)',
      values: [
        streamName,
        expected === 'any' ? null : expected === 'no_stream' ? -1 : expected,
        events.map((event) => event.id),
        events.map((event) => event.type),
        `[${events.map((event) => JSON.stringify(event.data ?? null)).join(',')}]`,
        `[${events.map((event) => JSON.stringify(event.metadata)).join(',')}]`,
        [],
      ],
    };
  }
}

/** Opened as openEventStore opens the ledger's store (pool of 10, personal data sealed), then unchained. */
export async function openUnchainedLedgerAppender(url: string): Promise<Appender> {
  const pool = openBenchPool(url, 10);
  await PostgresEventStore.create(pool);
  await pool.query(UNCHAINED_APPEND_TO_STREAM);
  const store = new UnchainedPostgresEventStore(pool);
  const keys = await PostgresCustomerKeys.open(pool, { hasEventsTable: true });
  const sealed = new PersonalDataEventStore(store, new PersonalDataProtection(keys, { locate: personalDataOf, erased: ERASED }));
  return appenderOver(sealed, async () => {
    await store.close();
    await keys.close();
    await pool.end();
  });
}
