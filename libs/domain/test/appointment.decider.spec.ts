import { appointmentDecider, evolve, initialState } from '../src/appointment/appointment.decider.js';
import type { AppointmentCommand } from '../src/appointment/appointment.commands.js';
import type { AppointmentEvent, AppointmentScheduled } from '../src/appointment/appointment.events.js';
import { deciderSpecification } from './support/decider-specification.js';

const given = deciderSpecification<AppointmentCommand, ReturnType<typeof initialState>, AppointmentEvent>(appointmentDecider);

const now = '2030-01-01T08:00:00.000Z';
const customer = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London', phone: null };
const scheduled: AppointmentScheduled = {
  type: 'AppointmentScheduled',
  data: {
    appointmentId: 'a1',
    serviceId: 'haircut',
    staffId: 'sam',
    startsAt: '2030-01-02T10:00:00.000Z',
    endsAt: '2030-01-02T10:30:00.000Z',
    customer,
    notes: null,
  },
};
const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { appointmentId: 'a1', reason: 'ill' } };

const scheduleCommand = (overrides: Partial<Extract<AppointmentCommand, { type: 'ScheduleAppointment' }>['data']> = {}): AppointmentCommand => ({
  type: 'ScheduleAppointment',
  data: {
    appointmentId: 'a1',
    serviceId: 'haircut',
    staffId: 'sam',
    startsAt: '2030-01-02T11:00:00+01:00',
    durationMinutes: 30,
    customer,
    notes: null,
    now,
    overlapping: [],
    ...overrides,
  },
});

describe('ScheduleAppointment', () => {
  it('schedules in UTC with the end derived from the service duration', () => {
    given([]).when(scheduleCommand()).then([scheduled]);
  });

  it('is a harmless retry when the same appointment is scheduled again with the same details', () => {
    given([scheduled]).when(scheduleCommand()).thenNothingHappens();
  });

  it('stays a harmless retry after the appointment changed since', () => {
    given([scheduled, cancelled]).when(scheduleCommand()).thenNothingHappens();
  });

  it('refuses the same id with different details', () => {
    given([scheduled])
      .when(scheduleCommand({ notes: 'other' }))
      .thenThrows('APPOINTMENT_EXISTS', { appointmentId: 'a1' });
  });

  it('refuses a start in the past', () => {
    given([])
      .when(scheduleCommand({ startsAt: '2029-12-31T10:00:00Z' }))
      .thenThrows('VALIDATION_FAILED', { field: 'startsAt' });
  });

  it('refuses a start at exactly now', () => {
    given([])
      .when(scheduleCommand({ startsAt: now }))
      .thenThrows('VALIDATION_FAILED');
  });

  it('refuses when the staff member is busy', () => {
    given([])
      .when(scheduleCommand({ overlapping: ['other'] }))
      .thenThrows('STAFF_UNAVAILABLE', {
        staffId: 'sam',
        conflictingAppointmentIds: ['other'],
      });
  });
});

describe('RescheduleAppointment', () => {
  const reschedule = (startsAt: string, overlapping: string[] = []): AppointmentCommand => ({
    type: 'RescheduleAppointment',
    data: { appointmentId: 'a1', startsAt, durationMinutes: 45, now, overlapping },
  });

  it('moves the appointment, keeping where it was', () => {
    given([scheduled])
      .when(reschedule('2030-01-03T09:00:00-05:00'))
      .then([
        {
          type: 'AppointmentRescheduled',
          data: {
            appointmentId: 'a1',
            startsAt: '2030-01-03T14:00:00.000Z',
            endsAt: '2030-01-03T14:45:00.000Z',
            previousStartsAt: scheduled.data.startsAt,
            previousEndsAt: scheduled.data.endsAt,
          },
        },
      ]);
  });

  it('does nothing when the start does not change', () => {
    given([scheduled]).when(reschedule('2030-01-02T11:00:00+01:00')).thenNothingHappens();
  });

  it('refuses a new start in the past', () => {
    given([scheduled]).when(reschedule('2020-01-01T00:00:00Z')).thenThrows('VALIDATION_FAILED');
  });

  it('refuses an overlap on the staff calendar', () => {
    given([scheduled])
      .when(reschedule('2030-01-03T09:00:00Z', ['a2']))
      .thenThrows('STAFF_UNAVAILABLE');
  });

  it('refuses a cancelled appointment', () => {
    given([scheduled, cancelled]).when(reschedule('2030-01-03T09:00:00Z')).thenThrows('APPOINTMENT_CANCELLED');
  });

  it('refuses an appointment that does not exist', () => {
    given([]).when(reschedule('2030-01-03T09:00:00Z')).thenThrows('NOT_FOUND', { entity: 'appointment', id: 'a1' });
  });
});

describe('CancelAppointment', () => {
  const cancel: AppointmentCommand = { type: 'CancelAppointment', data: { appointmentId: 'a1', reason: 'ill' } };

  it('cancels with the reason', () => {
    given([scheduled]).when(cancel).then([cancelled]);
  });

  it('refuses to cancel twice', () => {
    given([scheduled, cancelled]).when(cancel).thenThrows('APPOINTMENT_CANCELLED');
  });
});

describe('ReassignStaff', () => {
  const reassign = (staffId: string, overlapping: string[] = []): AppointmentCommand => ({
    type: 'ReassignStaff',
    data: { appointmentId: 'a1', staffId, now, overlapping },
  });

  it('hands the appointment to another staff member', () => {
    given([scheduled])
      .when(reassign('kim'))
      .then([{ type: 'StaffReassigned', data: { appointmentId: 'a1', staffId: 'kim', previousStaffId: 'sam' } }]);
  });

  it('does nothing for the same staff member', () => {
    given([scheduled]).when(reassign('sam')).thenNothingHappens();
  });

  it('refuses a busy staff member', () => {
    given([scheduled])
      .when(reassign('kim', ['a9']))
      .thenThrows('STAFF_UNAVAILABLE', { staffId: 'kim' });
  });

  it('refuses a cancelled appointment', () => {
    given([scheduled, cancelled]).when(reassign('kim')).thenThrows('APPOINTMENT_CANCELLED');
  });
});

describe('ChangeService', () => {
  const change = (serviceId: string, durationMinutes: number, overlapping: string[] = []): AppointmentCommand => ({
    type: 'ChangeService',
    data: { appointmentId: 'a1', serviceId, durationMinutes, now, overlapping },
  });

  it('changes the service and the end with it', () => {
    given([scheduled])
      .when(change('colour', 90))
      .then([
        {
          type: 'ServiceChanged',
          data: {
            appointmentId: 'a1',
            serviceId: 'colour',
            previousServiceId: 'haircut',
            endsAt: '2030-01-02T11:30:00.000Z',
            previousEndsAt: scheduled.data.endsAt,
          },
        },
      ]);
  });

  it('does nothing for the same service', () => {
    given([scheduled]).when(change('haircut', 30)).thenNothingHappens();
  });

  it('refuses when the longer service would overlap', () => {
    given([scheduled])
      .when(change('colour', 90, ['a3']))
      .thenThrows('STAFF_UNAVAILABLE');
  });

  it('refuses a cancelled appointment', () => {
    given([scheduled, cancelled]).when(change('colour', 90)).thenThrows('APPOINTMENT_CANCELLED');
  });
});

describe('evolve', () => {
  it('folds the whole life of an appointment', () => {
    const events: AppointmentEvent[] = [scheduled, { type: 'StaffReassigned', data: { appointmentId: 'a1', staffId: 'kim', previousStaffId: 'sam' } }, cancelled];
    expect(events.reduce(evolve, initialState())).toMatchObject({ status: 'cancelled', staffId: 'kim', cancellationReason: 'ill' });
  });

  it('recognises a retried schedule whatever order the stored keys come back in', () => {
    const { notes, ...rest } = scheduled.data;
    const { phone, ...contact } = customer;
    const reordered: AppointmentScheduled = { type: scheduled.type, data: { notes, ...rest, customer: { phone, ...contact } } };
    given([reordered]).when(scheduleCommand()).thenNothingHappens();
  });
});

describe('an event type this version does not know (written by a newer one)', () => {
  it('changes nothing when folded, before or after the appointment was scheduled', () => {
    const unknown = { type: 'AppointmentRepaintedByANewerVersion', data: { colour: 'teal' } } as unknown as AppointmentEvent;
    expect(evolve(initialState(), unknown)).toEqual(initialState());
    const state = evolve(initialState(), scheduled);
    expect(evolve(state, unknown)).toEqual(state);
  });
});
