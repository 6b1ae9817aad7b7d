export * from './event.js';
export * from './errors.js';
export * from './appointment/appointment.events.js';
export * from './appointment/appointment.commands.js';
export * from './appointment/appointment.decider.js';
export * from './canonical-json.js';
export * from './catalog/catalog.events.js';
export * from './catalog/catalog.decider.js';
