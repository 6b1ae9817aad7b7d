import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a search for text with an `@` looks up (appointments.queries.ts): the customer's email up to its `@`, lower
 * case, reversed, so that "local parts ending in these characters" is a range of this index. That holds only for an
 * address with one `@` and no `@` in the name or phone; every other row gets '' and is looked at on every such search.
 */
export const EMAIL_LOCAL_PART_KEY = `(CASE
  WHEN (coalesce(customer->>'name', '') || coalesce(customer->>'phone', '')) LIKE '%@%' OR customer->>'email' LIKE '%@%@%' THEN ''
  ELSE reverse(split_part(lower(customer->>'email'), '@', 1))
END)`;

/**
 * A search for one customer's address, or for a name many customers share, stays as fast on a million appointments as
 * on ten thousand. The trigram index cannot find an address alone: pg_trgm takes trigrams from words only, and the
 * words of an address (names, "example", "com") are in many rows, so its candidates grow with the table (7,231 index
 * pages at 1M in the scale section of `npm run bench`).
 */
export class IndexCustomerEmailLocalPart1768176000000 implements MigrationInterface {
  name = 'IndexCustomerEmailLocalPart1768176000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // text_pattern_ops: a LIKE prefix is a range of the index whatever the database's collation.
    await queryRunner.query(`CREATE INDEX appointments_customer_email_local_idx ON appointments (${EMAIL_LOCAL_PART_KEY} text_pattern_ops)`);
    // The planner guesses how often a search term occurs from a histogram of the customer text: at the default 100
    // entries a full name found in 1 % of the rows looks rare, and its thousands of rows are fetched and sorted where
    // reading the listing in order finds a page within a few thousand (1M rows: 121 ms against 7 ms). 500 entries see
    // it; ANALYZE samples 150,000 rows instead of 30,000 for this table.
    await queryRunner.query('ALTER INDEX appointments_customer_search_idx ALTER COLUMN 1 SET STATISTICS 500');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER INDEX appointments_customer_search_idx ALTER COLUMN 1 SET STATISTICS -1');
    await queryRunner.query('DROP INDEX appointments_customer_email_local_idx');
  }
}
