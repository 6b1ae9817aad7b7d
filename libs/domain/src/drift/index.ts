export * from './drift.types.js';
export * from './drift.events.js';
export { expectedCalcomStatus } from './drift-sides.js';
export { detectDrift } from './detect-drift.js';
export * from './drift-report.js';
export * from './drift-heal.js';
export * from './drift.errors.js';
