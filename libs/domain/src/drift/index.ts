export * from './drift.types.js';
export * from './drift.events.js';
export { CatalogIndex, expectedCalcomStatus } from './drift-sides.js';
export { appointmentFromBooking } from './adopt-booking.js';
export { detectDrift } from './detect-drift.js';
export * from './drift-report.js';
export * from './drift-heal.plan.js';
export * from './drift.errors.js';
