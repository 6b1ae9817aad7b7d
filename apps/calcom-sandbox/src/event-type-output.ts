import { eligibleHosts, fixedHostIds, type SandboxCatalog, type SandboxEventType, type SandboxUser } from './catalog.js';

/** The team every round-robin event type of the catalog belongs to unless it names another (`teamId`). */
export const DEFAULT_TEAM_ID = 1;

/** EventTypeOutput_2024_06_14 (a personal event type) with Cal.com's defaults for everything the sandbox does not model. */
export function eventTypeOutput(eventType: SandboxEventType, caller: SandboxUser) {
  return {
    ...commonFields(eventType),
    ownerId: eventType.ownerId ?? caller.id,
    users: [],
  };
}

/**
 * TeamEventTypeOutput_2024_06_14, as `GET /v2/teams/{teamId}/event-types` returns it (TeamsEventTypesController, output
 * service `team-event-type-response.output.ts`): `schedulingType` in camel case and `hosts` as objects
 * `{userId, name, username, avatarUrl, mandatory, priority}`; `mandatory` is the fixed-host flag. Cal.com's OpenAPI
 * document types `hosts` as strings, a swagger defect the tests work around (test/support/openapi-validator.ts).
 */
export function teamEventTypeOutput(eventType: SandboxEventType, catalog: SandboxCatalog) {
  const fixed = fixedHostIds(eventType);
  const teamId = teamIdOf(eventType);
  return {
    ...commonFields(eventType),
    teamId,
    ownerId: null,
    parentEventTypeId: null,
    hosts: eligibleHosts(catalog, eventType).map((host) => ({
      userId: host.id,
      name: host.name,
      username: host.username,
      avatarUrl: null,
      mandatory: fixed.has(host.id),
      priority: 'medium',
    })),
    assignAllTeamMembers: false,
    schedulingType: 'roundRobin',
    team: {
      id: teamId,
      slug: `sandbox-team-${teamId}`,
      bannerUrl: '',
      name: 'Sandbox Team',
      logoUrl: '',
      weekStart: 'Monday',
      brandColor: '#292929',
      darkBrandColor: '#fafafa',
      theme: 'light',
    },
  };
}

/** TeamOutputDto with the fields the sandbox's team has; `name` and `slug` are the ones team event types carry. */
export function teamOutput(teamId: number) {
  return {
    id: teamId,
    name: 'Sandbox Team',
    slug: `sandbox-team-${teamId}`,
    isOrganization: false,
    isPrivate: false,
    hideBranding: false,
    hideBookATeamMember: false,
    weekStart: 'Monday',
    timeZone: 'Europe/London',
    theme: 'light',
    brandColor: '#292929',
    darkBrandColor: '#fafafa',
    metadata: {},
  };
}

export function teamIdOf(eventType: SandboxEventType): number {
  return eventType.teamId ?? DEFAULT_TEAM_ID;
}

function commonFields(eventType: SandboxEventType) {
  return {
    id: eventType.id,
    lengthInMinutes: eventType.lengthInMinutes,
    title: eventType.title,
    slug: eventType.slug,
    description: '',
    locations: [{ type: 'integration', integration: 'cal-video' }],
    bookingFields: [],
    disableGuests: false,
    slotInterval: null,
    minimumBookingNotice: eventType.minimumBookingNoticeMinutes ?? 0,
    beforeEventBuffer: 0,
    afterEventBuffer: 0,
    recurrence: null,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    seatsPerTimeSlot: null,
    forwardParamsSuccessRedirect: null,
    successRedirectUrl: null,
    isInstantEvent: false,
    seatsShowAvailabilityCount: null,
    scheduleId: null,
    hidden: false,
    bookingRequiresAuthentication: false,
  };
}
