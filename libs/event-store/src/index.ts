export * from './event-store.port.js';
export * from './catch-up-subscription.js';
export * from './subscription-incidents.js';
export * from './aggregate-stream.js';
