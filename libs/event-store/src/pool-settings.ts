/**
 * How long an idle PostgreSQL connection stays in a pool. pg-pool closes idle ones after 10 s by default, so a burst
 * of commands after a few calmer seconds found the pools shrunk and opened connections in the middle of its requests
 * (TCP, start-up and SCRAM authentication: 30-70 ms under `npm run bench`'s command load, where a command's phases
 * were timed). Five minutes, as general-purpose pools keep them (HikariCP: ten); each pool's size bounds what is kept.
 */
export const IDLE_CONNECTION_MS = 300_000;
