/** Injection tokens for things that are plain objects rather than Nest classes. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const PG_POOL = Symbol('PG_POOL');
export const READ_MODEL = Symbol('READ_MODEL');
export const PROJECTOR = Symbol('PROJECTOR');
export const BACKGROUND_WORKERS = Symbol('BACKGROUND_WORKERS');
