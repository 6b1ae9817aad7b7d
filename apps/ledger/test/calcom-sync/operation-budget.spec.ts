import { evolveCalcomSync, initialCalcomSyncState, type CalcomSyncEvent, type CalcomSyncState } from '#domain';
import { budgetUse } from '../../src/calcom-sync/operation-budget.js';

const budget = { maxAttempts: 4, maxMs: 60_000 };
const started = '2026-01-01T10:00:00.000Z';
const at = (ms: number) => Date.parse(started) + ms;

describe('operation budget', () => {
  it('is spent by the attempts', () => {
    const state = { budgetStartedAt: started };
    expect([1, 2, 3, 4].map((attempts) => budgetUse(state, attempts, at(1_000), budget))).toEqual([
      { spent: false, pastHalf: false },
      { spent: false, pastHalf: false },
      { spent: false, pastHalf: true },
      { spent: true, pastHalf: true },
    ]);
  });

  it('is spent by the time, counting the wait before the next attempt', () => {
    const state = { budgetStartedAt: started };
    expect(budgetUse(state, 1, at(31_000), budget)).toEqual({ spent: false, pastHalf: true });
    expect(budgetUse(state, 1, at(31_000), budget, 29_000)).toEqual({ spent: true, pastHalf: true });
    expect(budgetUse(state, 1, at(61_000), budget)).toEqual({ spent: true, pastHalf: true });
    expect(budgetUse(state, 1, at(1_000), budget, 60_000)).toEqual({ spent: true, pastHalf: true });
  });

  it('counts from now when nothing was started (and a clock that went back does not refund time)', () => {
    expect(budgetUse({ budgetStartedAt: null }, 0, at(0), budget)).toEqual({ spent: false, pastHalf: false });
    expect(budgetUse({ budgetStartedAt: started }, 0, at(-5_000), budget)).toEqual({ spent: false, pastHalf: false });
  });
});

describe('the budget in the sync fold', () => {
  const appointmentId = 'a-1';
  const startedEvent: CalcomSyncEvent = {
    type: 'CalcomOperationStarted',
    data: { appointmentId, operationId: 'op-1', operation: 'cancel', bookingUid: 'uid-1', request: {}, ledgerVersion: 2 },
  };
  const failure = (attempt: number, extra: Record<string, unknown> = {}): CalcomSyncEvent => ({
    type: 'CalcomOperationFailed',
    data: {
      appointmentId,
      operationId: 'op-1',
      operation: 'cancel',
      error: { code: 'CALCOM_SERVER_ERROR', message: 'boom', status: 500 },
      permanent: false,
      outcomeUnknown: true,
      attempt,
      nextRetryAt: null,
      ledgerVersion: 2,
      ...extra,
    },
  });
  const fold = (events: [CalcomSyncEvent, string][]): CalcomSyncState =>
    events.reduce((state, [event, recordedAt]) => evolveCalcomSync(state, event, recordedAt), initialCalcomSyncState());

  it('starts its clock at the first attempt, not at each repeat', () => {
    const state = fold([
      [startedEvent, started],
      [failure(1), '2026-01-01T10:00:01.000Z'],
      [startedEvent, '2026-01-01T10:00:05.000Z'],
      [failure(2, { pastHalfBudget: true }), '2026-01-01T10:00:06.000Z'],
    ]);
    expect(state).toMatchObject({ budgetStartedAt: started, attempts: 2, budgetPastHalf: true });
  });

  it('a give-up, and then a retry request, each leave a fresh budget', () => {
    const gaveUp = fold([
      [startedEvent, started],
      [failure(4, { permanent: true, budgetSpent: true, pastHalfBudget: true }), '2026-01-01T10:00:09.000Z'],
    ]);
    expect(gaveUp).toMatchObject({ budgetStartedAt: null, budgetPastHalf: false, attempts: 4, lastError: { permanent: true } });
    const retried = evolveCalcomSync(gaveUp, { type: 'CalcomSyncRetryRequested', data: { appointmentId } }, '2026-01-01T11:00:00.000Z');
    expect(retried).toMatchObject({ budgetStartedAt: null, attempts: 0, lastError: null, retryRequested: true });
    expect(evolveCalcomSync(retried, startedEvent, '2026-01-01T11:00:01.000Z').budgetStartedAt).toBe('2026-01-01T11:00:01.000Z');
  });
});
