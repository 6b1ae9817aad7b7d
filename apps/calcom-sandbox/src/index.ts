/** The Cal.com sandbox, in-process: `const sandbox = await startSandbox({ port: 0 })`, then `await sandbox.close()`. */
export { DEFAULT_API_KEY, startSandbox, type RunningSandbox, type SandboxOptions } from './sandbox.js';
export { DEFAULT_CATALOG, type SandboxCatalog, type SandboxEventType, type SandboxUser } from './catalog.js';
export type { SandboxBooking } from './booking-output.js';
export type { SandboxFaults } from './faults.js';
export type { SandboxBehaviours } from './behaviours.js';
export type { BusyBlock, WorkingHours } from './availability.js';
export type { MutationEntry } from './booking-store.js';
export type { WebhookLogEntry } from './webhook-sender.js';
export { SeededRandom } from './faults.js';
