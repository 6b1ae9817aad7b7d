import { badRequest } from './sandbox-error.js';

/**
 * Behaviours of Cal.com that differ between its deployments or versions, switched with PUT /_sandbox/behaviours.
 * All off by default, which is how the sandbox has always answered.
 */
export interface SandboxBehaviours {
  /**
   * `GET /v2/event-types` (cal-api-version 2024-06-14) without `username` answers 404 "Event types not found", as
   * event-types.controller.ts / event-types.service.ts do in the version of issue 10 (upstream 84bd4d3).
   */
  eventTypesRequireUsername: boolean;
}

export const DEFAULT_BEHAVIOURS: SandboxBehaviours = { eventTypesRequireUsername: false };

/** A PUT resets the behaviours it leaves out, like the fault knobs. */
export function parseBehaviours(input: unknown): SandboxBehaviours {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('behaviours must be an object');
  const behaviours: SandboxBehaviours = { ...DEFAULT_BEHAVIOURS };
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(DEFAULT_BEHAVIOURS, key)) throw badRequest(`unknown behaviour ${JSON.stringify(key)}`);
    if (typeof value !== 'boolean') throw badRequest(`${key} must be a boolean`);
    behaviours[key as keyof SandboxBehaviours] = value;
  }
  return behaviours;
}
