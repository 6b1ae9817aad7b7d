export * from './event-store.port.js';
export * from './catch-up-subscription.js';
export * from './subscription-incidents.js';
export * from './aggregate-stream.js';
export { type OpenedEventStore, openEventStore } from './open-event-store.js';
export { type AuditLog } from './hash-chain/audit-log.js';
export { type AuditedEvent } from './hash-chain/audit-session.js';
export { verifyChain, type VerifyReport } from './hash-chain/chain-verifier.js';
export { GENESIS_HEAD } from './hash-chain/event-hash.js';
