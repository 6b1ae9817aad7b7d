import { evolve, initialState } from '../src/appointment/appointment.decider.js';
import type { AppointmentEvent } from '../src/appointment/appointment.events.js';
import { eventsToMatch, resolveConflict } from '../src/sync/calcom-conflict.js';
import type { CalcomSyncEvent, ConflictSide } from '../src/sync/calcom-sync.events.js';
import { evolveCalcomSync, initialCalcomSyncState } from '../src/sync/calcom-sync.state.js';
import type { ExistingAppointment } from '../src/sync/calcom-webhook.mapping.js';

const customer = { name: 'Ann', email: 'ann@example.com', timeZone: 'UTC', phone: null };
const scheduled: AppointmentEvent = {
  type: 'AppointmentScheduled',
  data: { appointmentId: 'a1', serviceId: 'cut', staffId: 'sam', startsAt: '2030-01-02T10:00:00.000Z', endsAt: '2030-01-02T10:30:00.000Z', customer, notes: null },
};
const appointmentAfter = (...events: AppointmentEvent[]) => events.reduce(evolve, initialState()) as ExistingAppointment;
const side = (overrides: Partial<ConflictSide> = {}): ConflictSide => ({
  status: 'scheduled',
  startsAt: '2030-01-02T10:00:00.000Z',
  endsAt: '2030-01-02T10:30:00.000Z',
  staffId: 'sam',
  serviceId: 'cut',
  bookingUid: 'u2',
  ...overrides,
});
const open: CalcomSyncEvent = {
  type: 'SyncConflictDetected',
  data: {
    appointmentId: 'a1',
    conflictId: 'c1',
    ledger: side(),
    calcom: side({ startsAt: '2030-01-03T15:00:00.000Z', endsAt: '2030-01-03T15:30:00.000Z' }),
    factId: 'f1',
    summary: 's',
  },
};
const syncAfter = (...events: CalcomSyncEvent[]) => events.reduce((state, event) => evolveCalcomSync(state, event, '2030-01-01T00:00:00.000Z'), initialCalcomSyncState());

describe('resolving a conflict', () => {
  it('keep calcom: the ledger takes Cal.com side, and the conflict is closed by a person', () => {
    const result = resolveConflict('a1', 'c1', appointmentAfter(scheduled), syncAfter(open), 'calcom');
    expect(result.appointmentEvents.map((event) => event.type)).toEqual(['AppointmentRescheduled']);
    expect(result.appointmentEvents[0].data).toMatchObject({ startsAt: '2030-01-03T15:00:00.000Z', previousStartsAt: '2030-01-02T10:00:00.000Z' });
    expect(result.syncEvents).toEqual([{ type: 'SyncConflictResolved', data: { appointmentId: 'a1', conflictId: 'c1', keep: 'calcom', decidedBy: 'person' } }]);
  });

  it('keep ledger: only the resolution; the sync then pushes the ledger state', () => {
    const result = resolveConflict('a1', 'c1', appointmentAfter(scheduled), syncAfter(open), 'ledger');
    expect(result.appointmentEvents).toEqual([]);
    expect(result.syncEvents[0].data).toMatchObject({ keep: 'ledger' });
  });

  it('a conflict that is not open cannot be resolved (again)', () => {
    const resolved: CalcomSyncEvent = { type: 'SyncConflictResolved', data: { appointmentId: 'a1', conflictId: 'c1', keep: 'ledger', decidedBy: 'person' } };
    expect(() => resolveConflict('a1', 'c1', appointmentAfter(scheduled), syncAfter(open, resolved), 'calcom')).toThrow(expect.objectContaining({ code: 'CONFLICT_RESOLVED' }));
    expect(() => resolveConflict('a1', 'other', appointmentAfter(scheduled), syncAfter(open), 'calcom')).toThrow(expect.objectContaining({ code: 'CONFLICT_RESOLVED' }));
  });
});

describe('the events that bring the ledger to Cal.com side', () => {
  it('a cancel on Cal.com cancels the appointment; nothing when it is cancelled already', () => {
    expect(eventsToMatch(appointmentAfter(scheduled), side({ status: 'cancelled' })).map((event) => event.type)).toEqual(['AppointmentCancelled']);
    const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'x' } };
    expect(eventsToMatch(appointmentAfter(scheduled, cancelled), side({ status: 'cancelled' }))).toEqual([]);
  });

  it('a booking alive on Cal.com reinstates a cancelled appointment, then moves it', () => {
    const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'x' } };
    const events = eventsToMatch(appointmentAfter(scheduled, cancelled), side({ startsAt: '2030-01-03T15:00:00.000Z', endsAt: '2030-01-03T15:30:00.000Z' }));
    expect(events.map((event) => event.type)).toEqual(['AppointmentStatusChanged', 'AppointmentRescheduled']);
    expect(events[0].data).toMatchObject({ status: 'scheduled', previousStatus: 'cancelled' });
  });

  it('other staff and service become a reassignment and a service change; equal sides need nothing', () => {
    const events = eventsToMatch(appointmentAfter(scheduled), side({ staffId: 'kim', serviceId: 'colour' }));
    expect(events.map((event) => event.type)).toEqual(['StaffReassigned', 'ServiceChanged']);
    expect(eventsToMatch(appointmentAfter(scheduled), side())).toEqual([]);
  });
});
