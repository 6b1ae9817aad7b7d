import type { Appender } from '../../appends/appender.js';
import { COPY_EVENTS_TABLE_SQL, copyEvents, StreamRevisions } from './copy-events-table.js';
import { openBenchPool } from '../bench-pool.js';

/** The ceiling: one COPY per append into a bare table, autocommitted with the server's normal durability. */
export async function openCopyAppender(url: string): Promise<Appender> {
  const pool = openBenchPool(url, 10);
  await pool.query(COPY_EVENTS_TABLE_SQL);
  const revisions = new StreamRevisions();
  return {
    async append(_streamName, events) {
      const client = await pool.connect();
      try {
        await copyEvents(client, events, revisions);
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
