/** The way into libs/database from outside it (#database): other folders import only what is exported here. */
export { type EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres.js';
export { clearLeftoverPostmaster } from './leftover-postmaster.js';
export { openSqlPool, type SqlPool } from './sql-pool.js';
