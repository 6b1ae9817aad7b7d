import { planAbsence, planDifferences, type AffectedAppointment, type CandidateFacts } from '../src/absence/absence-plan.js';
import { absenceDuring, assertPresent, staffAbsenceDecider } from '../src/absence/staff-absence.decider.js';
import type { StaffAbsenceCommand, StaffAbsenceEvent, StaffAbsenceRecorded } from '../src/absence/staff-absence.events.js';
import { deciderSpecification } from './support/decider-specification.js';

const given = deciderSpecification(staffAbsenceDecider);

const absence = {
  absenceId: 'sick-1',
  staffId: 'sam',
  from: '2030-05-01T07:00:00.000Z',
  to: '2030-05-01T18:00:00.000Z',
  reason: 'Flu',
  plan: 'reassign' as const,
  reassignTo: null,
  planFingerprint: 'f'.repeat(64),
};
const recorded: StaffAbsenceRecorded = { type: 'StaffAbsenceRecorded', data: absence };
const record = (data = absence): StaffAbsenceCommand => ({ type: 'RecordStaffAbsence', data });

describe('recording an absence', () => {
  it('records it, and nothing when the same absence is recorded again (a retry)', () => {
    given([]).when(record()).then([recorded]);
    given([recorded]).when(record()).thenNothingHappens();
  });

  it('refuses the same id for another absence, and an absence that ends before it starts', () => {
    given([recorded])
      .when(record({ ...absence, reason: 'Other' }))
      .thenThrows('ABSENCE_EXISTS', { absenceId: 'sick-1' });
    given([])
      .when(record({ ...absence, to: absence.from }))
      .thenThrows('VALIDATION_FAILED');
  });

  it('cancels it once; an unknown one is NOT_FOUND', () => {
    const cancel: StaffAbsenceCommand = { type: 'CancelStaffAbsence', data: { absenceId: 'sick-1', staffId: 'sam', reason: null } };
    const cancelled: StaffAbsenceEvent = { type: 'StaffAbsenceCancelled', data: cancel.data };
    given([recorded]).when(cancel).then([cancelled]);
    given([recorded, cancelled]).when(cancel).thenNothingHappens();
    given([]).when(cancel).thenThrows('NOT_FOUND');
  });
});

describe('nothing lands inside an absence', () => {
  const state = [recorded].reduce(staffAbsenceDecider.evolve, staffAbsenceDecider.initialState());

  it('refuses a time that overlaps it with STAFF_ABSENT, and lets touching ends through', () => {
    expect(() => assertPresent(state, 'sam', '2030-05-01T17:30:00Z', '2030-05-01T18:30:00Z')).toThrow(expect.objectContaining({ code: 'STAFF_ABSENT' }));
    expect(absenceDuring(state, '2030-05-01T18:00:00Z', '2030-05-01T18:30:00Z')).toBeNull();
    expect(absenceDuring(state, '2030-05-01T06:30:00Z', '2030-05-01T07:00:00Z')).toBeNull();
  });

  it('forgets a cancelled absence', () => {
    const cancelled = staffAbsenceDecider.evolve(state, { type: 'StaffAbsenceCancelled', data: { absenceId: 'sick-1', staffId: 'sam', reason: null } });
    expect(absenceDuring(cancelled, '2030-05-01T10:00:00Z', '2030-05-01T10:30:00Z')).toBeNull();
  });
});

describe('planning an absence', () => {
  const at = (hour: number, appointmentId = `a${hour}`): AffectedAppointment => ({
    appointmentId,
    version: 1,
    serviceId: 'cut',
    startsAt: `2030-05-01T${String(hour).padStart(2, '0')}:00:00.000Z`,
    endsAt: `2030-05-01T${String(hour).padStart(2, '0')}:30:00.000Z`,
  });
  const free = (staffId: string): CandidateFacts => ({ staffId, offersService: true, busyWith: [], absentIn: null, calcom: { outcome: 'available' } });

  it('gives each appointment to the first free colleague, in start order, and cancels when nobody is free', () => {
    const steps = planAbsence('reassign', [at(11), at(9), at(10)], (appointment) =>
      appointment.appointmentId === 'a9'
        ? [{ ...free('ann'), busyWith: ['x'] }, free('ben')]
        : appointment.appointmentId === 'a10'
          ? [
              { ...free('ann'), absentIn: 'ann-off' },
              { ...free('ben'), calcom: { outcome: 'unavailable', said: 'no free slots' } },
              { ...free('cat'), offersService: false },
            ]
          : [free('ann')],
    );
    expect(steps.map(({ appointmentId, action, toStaffId }) => [appointmentId, action, toStaffId])).toEqual([
      ['a9', 'reassign', 'ben'],
      ['a10', 'cancel', null],
      ['a11', 'reassign', 'ann'],
    ]);
    expect(steps[1].why).toMatch(/ann: absent .*ben: Cal.com has no slot .*cat: does not offer the service/);
  });

  it('never gives one colleague two overlapping appointments in the same plan', () => {
    const steps = planAbsence('reassign', [at(9, 'x'), at(9, 'y')], () => [free('ann'), free('ben')]);
    expect(steps.map((step) => step.toStaffId)).toEqual(['ann', 'ben']);
  });

  it('cancels everything when the plan is cancel', () => {
    expect(planAbsence('cancel', [at(9)], () => [free('ann')]).map((step) => step.action)).toEqual(['cancel']);
  });

  it('tells two plans apart appointment by appointment, whatever their explanations say', () => {
    const before = planAbsence('reassign', [at(9), at(10)], () => [free('ann')]);
    const reworded = before.map((step) => ({ ...step, why: 'other words' }));
    expect(planDifferences(before, reworded)).toEqual([]);
    const after = planAbsence('reassign', [at(9), at(10), at(11)], (appointment) => (appointment.appointmentId === 'a9' ? [] : [free('ann')]));
    expect(planDifferences(before, after).map(({ appointmentId, planned, now }) => [appointmentId, planned?.toStaffId ?? null, now?.action])).toEqual([
      ['a11', null, 'reassign'],
      ['a9', 'ann', 'cancel'],
    ]);
  });
});

describe('an absence event type this version does not know', () => {
  it('changes nothing when folded', () => {
    const unknown = { type: 'StaffAbsenceMovedByANewerVersion', data: {} } as unknown as StaffAbsenceEvent;
    const state = staffAbsenceDecider.initialState();
    expect(staffAbsenceDecider.evolve(state, unknown)).toBe(state);
  });
});
