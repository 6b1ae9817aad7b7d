export { type CustomerKeys, type CustomerKey, type ErasureResult, type SqlQuery } from './customer-keys.js';
export { PersonalDataProtection, type PersonalDataLocator, type PersonalDataOptions } from './personal-data-protection.js';
export { PersonalDataEventStore } from './personal-data-event-store.js';
export { PERSONAL_DATA_KEY } from './personal-data-envelope.js';
