import type { BookingContext } from './booking-context.js';
import { eventTypeOutput, teamEventTypeOutput, teamIdOf, teamOutput } from './event-type-output.js';
import { badRequest, notFound } from './sandbox-error.js';
import { EVENT_TYPES_VERSION, success, type V2Route } from './v2-route.js';

/**
 * Event types, as Cal.com API v2 lists them: personal ones under `/v2/event-types` (cal-api-version 2024-06-14), team
 * ones under `/v2/teams/{teamId}/event-types` (TeamsEventTypesController, no version header). The sandbox's key owner
 * may read every team of the catalog.
 */
export function eventTypeRoutes(context: BookingContext): V2Route[] {
  const isTeamType = (eventType: { schedulingType: string | null }) => eventType.schedulingType === 'ROUND_ROBIN';
  return [
    {
      method: 'GET',
      pattern: /^\/v2\/event-types$/,
      version: EVENT_TYPES_VERSION,
      handler: async ({ query, caller }) => {
        const slug = query.get('eventSlug');
        const username = query.get('username');
        const catalog = context.catalog();
        // event-types.service.ts (upstream 84bd4d3): without a username there is nobody to list for.
        if (username === null && context.behaviours().eventTypesRequireUsername) throw notFound('Event types not found');
        let eventTypes = catalog.eventTypes;
        if (username !== null) {
          const user = catalog.users.find((candidate) => candidate.username === username);
          if (!user) throw notFound('Event types not found');
          eventTypes = eventTypes.filter((eventType) => !isTeamType(eventType) && (eventType.ownerId ?? catalog.users[0].id) === user.id);
        }
        eventTypes = eventTypes.filter((eventType) => !slug || eventType.slug === slug);
        return success(
          200,
          eventTypes.map((eventType) => eventTypeOutput(eventType, caller)),
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/event-types\/([^/]+)$/,
      version: EVENT_TYPES_VERSION,
      handler: async ({ params: [id], caller }) => {
        const eventType = context.catalog().eventTypes.find((candidate) => String(candidate.id) === id);
        if (!eventType) throw notFound(`Event type with id=${id} not found`);
        return success(200, isTeamType(eventType) ? teamEventTypeOutput(eventType, context.catalog()) : eventTypeOutput(eventType, caller));
      },
    },
    {
      // TeamsController.getTeams: the teams the key owner belongs to; the sandbox's are those its round-robin types name.
      method: 'GET',
      pattern: /^\/v2\/teams$/,
      handler: async () => {
        const teamIds = [...new Set(context.catalog().eventTypes.filter(isTeamType).map(teamIdOf))].sort((a, b) => a - b);
        return success(200, teamIds.map(teamOutput));
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/teams\/([^/]+)\/event-types$/,
      handler: async ({ params: [teamId], query }) => {
        if (!/^\d+$/.test(teamId)) throw badRequest('Validation failed (numeric string is expected)');
        const slug = query.get('eventSlug');
        const catalog = context.catalog();
        const eventTypes = catalog.eventTypes.filter((eventType) => isTeamType(eventType) && teamIdOf(eventType) === Number(teamId) && (!slug || eventType.slug === slug));
        return success(
          200,
          eventTypes.map((eventType) => teamEventTypeOutput(eventType, catalog)),
        );
      },
    },
  ];
}
