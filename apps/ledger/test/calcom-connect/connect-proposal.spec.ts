import type { CalcomBookingLevel } from '#domain';
import { adoptedAppointmentId, adoptionOf, bookingChains, isToAdopt } from '../../src/calcom-connect/booking-adoption.js';
import { type AccountEventType, type CalcomHost, type LedgerCatalog, proposeCatalog } from '../../src/calcom-connect/catalog-proposal.js';

const hosts: CalcomHost[] = [
  { userId: 1, username: 'olivia', name: 'Olivia Owner', email: 'olivia@salon.example' },
  { userId: 2, username: 'hugo', name: 'Hugo Host', email: null },
  { userId: 3, username: 'rita', name: 'Rita Host', email: null },
];
const personal = (id: number, title: string, length: number, owner: number): AccountEventType => ({
  id,
  title,
  lengthInMinutes: length,
  teamId: null,
  roundRobin: false,
  hostUserIds: [owner],
});
const eventTypes: AccountEventType[] = [
  personal(101, 'Haircut', 30, 1),
  personal(102, ' haircut ', 30, 2),
  personal(103, 'Haircut', 45, 3),
  { id: 105, title: 'Haircut', lengthInMinutes: 30, teamId: 7, roundRobin: true, hostUserIds: [2, 3] },
];
const empty: LedgerCatalog = { staff: [], services: [] };

describe('proposeCatalog', () => {
  it('proposes one staff member per host and groups personal event types by title and length; a round-robin type stays one service', () => {
    const proposal = proposeCatalog(hosts, eventTypes, empty);
    expect(proposal.staff.map(({ staffId, calcomUserId, change }) => [staffId, calcomUserId, change])).toEqual([
      ['olivia', 1, 'add'],
      ['hugo', 2, 'add'],
      ['rita', 3, 'add'],
    ]);
    expect(proposal.staff[1]).toMatchObject({ email: 'hugo@calcom-host.invalid', note: expect.stringContaining('e-mail') });
    expect(proposal.services.map(({ serviceId, calcomEventTypeIds, roundRobin }) => [serviceId, calcomEventTypeIds, roundRobin])).toEqual([
      ['haircut-30', { olivia: 101, hugo: 102 }, false],
      ['haircut-30-2', { hugo: 105, rita: 105 }, true],
      ['haircut-45', { rita: 103 }, false],
    ]);
  });

  it('a second run over what the first saved proposes nothing; a new host of a known type is an update of that service only', () => {
    const first = proposeCatalog(hosts, eventTypes, empty);
    const saved: LedgerCatalog = { staff: first.staff, services: first.services };
    const again = proposeCatalog(hosts, eventTypes, saved);
    expect([...again.staff, ...again.services].map((entry) => entry.change)).toEqual(Array(6).fill('unchanged'));

    const withNewHost = proposeCatalog(
      [...hosts, { userId: 4, username: 'nia', name: 'Nia', email: 'nia@salon.example' }],
      [...eventTypes, personal(104, 'HAIRCUT', 30, 4)],
      saved,
    );
    expect(withNewHost.staff.filter((staff) => staff.change !== 'unchanged').map((staff) => staff.staffId)).toEqual(['nia']);
    expect(withNewHost.services.filter((service) => service.change !== 'unchanged')).toEqual([
      expect.objectContaining({ serviceId: 'haircut-30', change: 'update', calcomEventTypeIds: { olivia: 101, hugo: 102, nia: 104 } }),
    ]);
  });

  it('keeps a staff member the admin already mapped, under the admin’s id and name', () => {
    const current: LedgerCatalog = { staff: [{ staffId: 'sam', name: 'Sam', email: 'sam@salon.example', calcomUserId: 1 }], services: [] };
    expect(proposeCatalog(hosts, [], current).staff[0]).toEqual({ staffId: 'sam', name: 'Sam', email: 'sam@salon.example', calcomUserId: 1, change: 'unchanged' });
  });

  it('Cal.com’s hostile text never becomes an id or a name the input rules refuse', () => {
    const hostile: CalcomHost[] = [
      { userId: 8, username: '__proto__', name: 'Bad\u0000Name', email: 'x@y\u0000.example' },
      { userId: 9, username: '\uD800', name: 'x'.repeat(300), email: null },
    ];
    const proposal = proposeCatalog(hostile, [personal(900, 'constructor', 30, 8), personal(901, 'Long', 3, 9)], {
      staff: [{ staffId: 'proto', name: 'P', email: 'p@x.example', calcomUserId: null }],
      services: [],
    });
    expect(proposal.staff.map(({ staffId, name, email }) => [staffId, name, email])).toEqual([
      ['proto-2', '__proto__', 'proto-2@calcom-host.invalid'],
      ['host-9', 'Cal.com user 9', 'host-9@calcom-host.invalid'],
    ]);
    expect(proposal.services.map((service) => service.serviceId)).toEqual(['constructor-30']);
    expect(proposal.skipped).toEqual([{ eventTypeId: 901, reason: expect.stringContaining('3 minutes') }]);
  });
});

const booking = (uid: string, fields: Partial<CalcomBookingLevel> = {}): CalcomBookingLevel => ({
  uid,
  start: '2030-01-10T10:00:00.000Z',
  end: '2030-01-10T10:30:00.000Z',
  eventTypeId: 101,
  hostUserId: 1,
  status: 'accepted',
  rescheduledFromUid: null,
  rescheduledToUid: null,
  appointmentId: null,
  attendee: { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin', phone: null },
  updatedAt: '2030-01-01T00:00:00.000Z',
  ...fields,
});
const catalog = { staff: [{ staffId: 'olivia', calcomUserId: 1 }], services: [{ serviceId: 'haircut-30', durationMinutes: 30, calcomEventTypeIds: { olivia: 101 } }] };

describe('bookingChains and adoptionOf', () => {
  it('joins reschedules into one chain, oldest first, in any order and with duplicates; the id comes from the first uid', () => {
    const a = booking('a', { status: 'cancelled', rescheduledToUid: 'b' });
    const b = booking('b', { status: 'cancelled', rescheduledFromUid: 'a', rescheduledToUid: 'c' });
    const c = booking('c', { rescheduledFromUid: 'b', start: '2030-01-12T10:00:00.000Z', end: '2030-01-12T10:30:00.000Z' });
    const chains = bookingChains([c, a, b, c, booking('d')]);
    expect(chains.map((chain) => chain.uids)).toEqual([['d'], ['a', 'b', 'c']]);
    const adopted = adoptionOf(chains[1], catalog);
    expect(adopted).toMatchObject({ ok: true, adoption: { appointmentId: adoptedAppointmentId('a'), chain: ['a', 'b', 'c'] } });
    if (adopted.ok) {
      expect(adopted.adoption.observed.map((seen) => [seen.uid, seen.status])).toEqual([
        ['a', 'cancelled'],
        ['b', 'cancelled'],
        ['c', 'accepted'],
      ]);
      expect(adopted.adoption.events[0]).toMatchObject({
        type: 'AppointmentScheduled',
        data: { staffId: 'olivia', serviceId: 'haircut-30', startsAt: '2030-01-12T10:00:00.000Z' },
      });
    }
  });

  it('a loop of reschedule links ends (no booking stands for it), and cancelled or finished bookings are not adopted', () => {
    expect(bookingChains([booking('x', { rescheduledToUid: 'y' }), booking('y', { rescheduledToUid: 'x' })])).toEqual([]);
    const [cancelled] = bookingChains([booking('c', { status: 'cancelled' })]);
    expect(isToAdopt(cancelled, new Date('2029-01-01T00:00:00Z'))).toBe(false);
    const [past] = bookingChains([booking('p')]);
    expect(isToAdopt(past, new Date('2030-01-10T10:30:00Z'))).toBe(false);
    expect(isToAdopt(past, new Date('2030-01-10T10:29:59Z'))).toBe(true);
  });

  it('a booking the catalog cannot map, or with an attendee the input rules refuse, is listed with the reason', () => {
    const [unknownType] = bookingChains([booking('u', { eventTypeId: 999 })]);
    expect(adoptionOf(unknownType, catalog)).toEqual({
      ok: false,
      unmapped: expect.objectContaining({ uid: 'u', eventTypeId: 999, reason: expect.stringContaining('event type 999') }),
    });
    const [hostile] = bookingChains([booking('h', { attendee: { name: 'Ann\u0000', email: 'ann@example.com', timeZone: 'UTC', phone: null } })]);
    expect(adoptionOf(hostile, catalog)).toEqual({ ok: false, unmapped: expect.objectContaining({ reason: expect.stringContaining('attendee name') }) });
    const [badUid] = bookingChains([booking('a', { status: 'cancelled', rescheduledToUid: 'b\u0000' }), booking('b\u0000', { rescheduledFromUid: 'a' })]);
    expect(badUid.uids).toEqual(['a', 'b\u0000']);
    expect(adoptionOf(badUid, catalog)).toEqual({ ok: false, unmapped: expect.objectContaining({ reason: expect.stringContaining('uid must not contain NUL') }) });
  });
});
