import type { CalcomSyncState } from '#domain';

/**
 * How much one Cal.com operation may cost before the sync gives up on it: attempts AND elapsed time, both counted from
 * the operation's first attempt (`CALCOM_OPERATION_MAX_ATTEMPTS`, `CALCOM_OPERATION_MAX_MS`). Without it, a refusal
 * Cal.com throws as a 500 (handleCancelBooking.ts throws HttpError for a type that disallows cancelling, and the API
 * maps it to 500) would be "outcome unknown", looked up, found not done, and sent again for ever.
 */
export interface OperationBudget {
  maxAttempts: number;
  maxMs: number;
}

export interface BudgetUse {
  /** No further attempt may be made. */
  spent: boolean;
  /** More than half of the attempts or of the time is used. */
  pastHalf: boolean;
}

/**
 * The budget after `attempts` attempts, at `nowMs`, when the next attempt would come `nextDelayMs` later: an attempt
 * that could only start past the time allowed is not made, so the budget is spent now rather than one call later.
 */
export function budgetUse(state: Pick<CalcomSyncState, 'budgetStartedAt'>, attempts: number, nowMs: number, budget: OperationBudget, nextDelayMs = 0): BudgetUse {
  const startedMs = state.budgetStartedAt ? Date.parse(state.budgetStartedAt) : nowMs;
  const elapsedMs = Math.max(0, nowMs - startedMs);
  const spent = attempts >= budget.maxAttempts || elapsedMs + nextDelayMs >= budget.maxMs;
  // A budget spent by the wait alone (a long Retry-After) is past half too: the metric must not miss it.
  return { spent, pastHalf: spent || attempts * 2 > budget.maxAttempts || elapsedMs * 2 > budget.maxMs };
}
