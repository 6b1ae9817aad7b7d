import type { Workflow } from '../../src/decider.js';

/**
 * Given / when / then for a workflow: given the state its caller loads, when an input arrives,
 * then these outputs come out. `then` takes the whole expected output, or a check of the parts a case is about;
 * both give the output back, for a case that feeds it to the next step. Pure: no store, no clock.
 */
export function workflowSpecification<Input, State, Output>(workflow: Workflow<Input, State, Output>) {
  return (state: State) => ({
    when(input: Input) {
      const run = (): Output => workflow.decide(input, state);
      return {
        then(expected: Output | ((output: Output) => void)): Output {
          const output = run();
          if (typeof expected === 'function') (expected as (output: Output) => void)(output);
          else expect(output).toEqual(expected);
          return output;
        },
        /** Only the fields given are compared, nested ones included (Jest's toMatchObject). */
        thenMatches(expected: object): Output {
          const output = run();
          expect(output).toMatchObject(expected);
          return output;
        },
      };
    },
  });
}
