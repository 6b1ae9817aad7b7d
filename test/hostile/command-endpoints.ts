import fc from 'fast-check';

/** What the suite's ledger holds before the hostile requests start: ids that exist, so commands get past a 404. */
export interface Fixtures {
  /** Appointments any command may target. */
  appointmentIds: string[];
  /** Appointments only the cancel command targets, so the others stay open to reschedules and reassigns. */
  cancellableIds: string[];
  /** A `nextCursor` the API handed out. */
  realCursor: string;
}

export interface CommandEndpoint {
  name: string;
  method: 'POST' | 'PUT';
  target: (fixtures: Fixtures) => fc.Arbitrary<string>;
  validBody: fc.Arbitrary<Record<string, unknown>>;
  /** The body is read only for validation: an invalid one must be refused. */
  bodyIsChecked: boolean;
}

/** Starts that a valid body may ask for: far enough ahead and spread out, so most do not collide. */
const futureStart = fc
  .tuple(fc.integer({ min: 30, max: 3_000 }), fc.integer({ min: 0, max: 4 * 24 - 1 }), fc.constantFrom('Z', '+02:00', '-05:30', '+14:00'))
  .map(([days, quarter, offset]) => {
    const date = new Date(Date.UTC(2026, 0, 1) + days * 86_400_000 + quarter * 900_000);
    if (date.getTime() < Date.now() + 30 * 86_400_000) date.setUTCFullYear(date.getUTCFullYear() + 2);
    return date.toISOString().slice(0, 19) + offset;
  });

const reason = fc.constantFrom('Customer asked', 'Staff ill', 'Moved by the fuzz suite');
const anyAppointment = (fixtures: Fixtures) => fc.constantFrom(...fixtures.appointmentIds);

export const COMMAND_ENDPOINTS: CommandEndpoint[] = [
  {
    name: 'schedule',
    method: 'POST',
    target: () => fc.constant('/appointments'),
    validBody: fc.record(
      {
        serviceId: fc.constant('consultation'),
        staffId: fc.constant('olivia'),
        startsAt: futureStart,
        customer: fc.record(
          {
            name: fc.constant('Ada Lovelace'),
            email: fc.constant('ada@example.com'),
            timeZone: fc.constantFrom('Europe/London', 'Asia/Kolkata'),
            phone: fc.constant('+44 20 7946 0000'),
          },
          { requiredKeys: ['name', 'email', 'timeZone'] },
        ),
        notes: fc.constant('Window seat'),
      },
      { requiredKeys: ['serviceId', 'staffId', 'startsAt', 'customer'] },
    ),
    bodyIsChecked: true,
  },
  {
    name: 'reschedule',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/reschedule`),
    validBody: fc.record({ startsAt: futureStart, reason }, { requiredKeys: ['startsAt'] }),
    bodyIsChecked: true,
  },
  {
    name: 'cancel',
    method: 'POST',
    target: (fixtures) => fc.constantFrom(...fixtures.cancellableIds).map((id) => `/appointments/${id}/cancel`),
    validBody: fc.record({ reason }),
    bodyIsChecked: true,
  },
  {
    name: 'reassign',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/reassign`),
    validBody: fc.record({ staffId: fc.constantFrom('olivia', 'hugo'), reason }, { requiredKeys: ['staffId'] }),
    bodyIsChecked: true,
  },
  {
    name: 'change-service',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/change-service`),
    validBody: fc.record({ serviceId: fc.constantFrom('consultation', 'assessment'), reason }, { requiredKeys: ['serviceId'] }),
    bodyIsChecked: true,
  },
  // The desk's actions (issue 12): most answer 409 on the suite's appointments (not requested, not started), which is
  // fine; what matters is that a hostile body is a 400 and nothing invalid is stored.
  ...(['confirm', 'check-in', 'complete'] as const).map((action) => ({
    name: action,
    method: 'POST' as const,
    target: (fixtures: Fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/${action}`),
    validBody: fc.constant({}),
    bodyIsChecked: true,
  })),
  {
    name: 'decline',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/decline`),
    validBody: fc.record({ reason }, { requiredKeys: [] }),
    bodyIsChecked: true,
  },
  {
    name: 'no-show',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/no-show`),
    validBody: fc.record({ absent: fc.boolean() }),
    bodyIsChecked: true,
  },
  {
    name: 'contact',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/contact`),
    validBody: fc.record(
      {
        customer: fc.record({ name: fc.constant('Ada Lovelace'), email: fc.constant('ada@example.com'), phone: fc.constant('+44 20 7946 0000') }, { requiredKeys: [] }),
        notes: fc.constant('Window seat'),
      },
      { requiredKeys: [] },
    ),
    bodyIsChecked: true,
  },
  // Bulk (issue 12): a bad item is that item's 400 inside a 200, so only the request as a whole is held to "refused".
  {
    name: 'bulk',
    method: 'POST',
    target: () => fc.constant('/appointments/bulk'),
    validBody: fc.record({
      commands: fc.array(
        fc.oneof(
          fc.record({ appointmentId: fc.constant('fuzz-bulk-unknown'), command: fc.constant('reschedule'), body: fc.record({ startsAt: futureStart, reason }) }),
          fc.record({
            appointmentId: fc.constant('fuzz-bulk-unknown'),
            command: fc.constant('contact'),
            body: fc.record({ notes: fc.constant('Window seat') }),
            ifMatch: fc.constant('"1"'),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    bodyIsChecked: false,
  },
  // A staff absence's dry run (issue 12): it plans and changes nothing, so the suite's appointments stay as they are.
  {
    name: 'absence dry run',
    method: 'POST',
    target: () => fc.constant('/staff/olivia/absences?dryRun=true'),
    validBody: fc
      .tuple(futureStart, reason, fc.constantFrom('reassign', 'cancel'), fc.boolean())
      .map(([from, why, plan, named]) => ({ from, to: new Date(Date.parse(from) + 4 * 3_600_000).toISOString(), reason: why, plan, ...(named ? { reassignTo: ['hugo'] } : {}) })),
    bodyIsChecked: true,
  },
  {
    name: 'save staff',
    method: 'PUT',
    // Staff of the suite's own, so the catalog the final webhook check relies on stays as it was.
    target: () => fc.constantFrom('/staff/fuzz-staff', '/staff/fuzz-staff-2'),
    validBody: fc.record(
      { name: fc.constant('Fuzz Staff'), email: fc.constant('fuzz@salon.example'), calcomUserId: fc.integer({ min: 1000, max: 9999 }) },
      { requiredKeys: ['name', 'email'] },
    ),
    bodyIsChecked: true,
  },
  {
    name: 'save service',
    method: 'PUT',
    target: () => fc.constantFrom('/services/fuzz-service', '/services/fuzz-service-2'),
    validBody: fc.record({ name: fc.constant('Fuzz service'), durationMinutes: fc.integer({ min: 5, max: 1440 }), calcomEventTypeIds: fc.constant({ 'fuzz-staff': 9001 }) }),
    bodyIsChecked: true,
  },
  {
    name: 'resolve conflict',
    method: 'POST',
    target: () => fc.constantFrom('/conflicts/conflict-1/resolve', '/conflicts/none/resolve'),
    validBody: fc.record({ keep: fc.constantFrom('ledger', 'calcom') }),
    bodyIsChecked: true,
  },
  {
    name: 'drift check',
    method: 'POST',
    target: () => fc.constant('/drift/check'),
    validBody: fc.record({ mode: fc.constantFrom('full', 'incremental') }, { requiredKeys: [] }),
    bodyIsChecked: true,
  },
  {
    name: 'heal drift item',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/drift/items/missing_booking:${id}/heal`),
    validBody: fc.record({ keep: fc.constantFrom('ledger', 'calcom') }),
    bodyIsChecked: true,
  },
  {
    name: 'retry webhook fact',
    method: 'POST',
    target: () => fc.constant('/webhooks/calcom/facts/00000000-0000-4000-8000-000000000000/retry'),
    validBody: fc.constant({}),
    bodyIsChecked: false,
  },
  {
    name: 'sync now',
    method: 'POST',
    target: (fixtures) => anyAppointment(fixtures).map((id) => `/appointments/${id}/sync`),
    validBody: fc.constant({}),
    bodyIsChecked: false,
  },
];
