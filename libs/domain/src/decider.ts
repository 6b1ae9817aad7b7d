/**
 * The two shapes of decision in the domain, and the only two words for them.
 *
 * A decider owns a stream: it answers a command with the events that stream records, and its state is the fold of
 * those same events, so `decide(command, events.reduce(evolve, initialState()))` is the whole story.
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/**
 * A workflow (process manager) reacts to something that already happened: a webhook fact, a ledger change, a timer.
 * Its state is what its caller loaded for it (its own stream, the appointment it is about); its output is what to do
 * next: commands, calls, events for other streams, with a reason. It never refuses an input; facts are facts.
 */
export interface Workflow<Input, State, Output> {
  decide(input: Input, state: State): Output;
}
