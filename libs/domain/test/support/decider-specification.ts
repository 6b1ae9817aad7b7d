import type { Decider } from '../../src/decider.js';

/**
 * Given / when / then for a decider: given past events, when a command is decided,
 * then these events (or this error) come out. Pure: no store, no clock.
 */
export function deciderSpecification<C, State, E>(decider: Decider<C, State, E>) {
  return (givenEvents: E[]) => ({
    when(command: C) {
      const run = (): E[] => decider.decide(command, givenEvents.reduce(decider.evolve, decider.initialState()));
      return {
        then(expected: E[]): void {
          expect(run()).toEqual(expected);
        },
        thenNothingHappens(): void {
          expect(run()).toEqual([]);
        },
        thenThrows(expectedCode: string, details?: Record<string, unknown>): void {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toMatchObject({ code: expectedCode, ...(details ? { details: expect.objectContaining(details) } : {}) });
        },
      };
    },
  });
}
