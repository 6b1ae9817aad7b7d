import { AppointmentWorkQueue, type WorkOutcome } from '../../src/calcom-sync/appointment-work-queue.js';
import { eventually } from '#test-support/eventually';

/** Work that only ends when the test says so, recording what ran when. */
function controlledWork() {
  const started: string[] = [];
  const finishers = new Map<string, (outcome: WorkOutcome) => void>();
  const work = (appointmentId: string) =>
    new Promise<WorkOutcome>((resolve) => {
      started.push(appointmentId);
      finishers.set(appointmentId, resolve);
    });
  const finish = (appointmentId: string, outcome: WorkOutcome = { retryAt: null }) => finishers.get(appointmentId)!(outcome);
  return { started, work, finish };
}

const silent = { error: () => undefined };

describe('appointment work queue', () => {
  it('runs at most `concurrency` appointments at once, the rest in arrival order', async () => {
    const { started, work, finish } = controlledWork();
    const queue = new AppointmentWorkQueue(work, 2, silent);
    for (const id of ['a', 'b', 'c', 'd']) queue.touch(id);
    expect(started).toEqual(['a', 'b']);
    finish('a');
    await eventually(() => expect(started).toEqual(['a', 'b', 'c']));
    finish('b');
    await eventually(() => expect(started).toEqual(['a', 'b', 'c', 'd']));
    finish('c');
    finish('d');
    await queue.stop();
  });

  it('never runs one appointment twice at once: a change during a run makes one more run afterwards', async () => {
    const { started, work, finish } = controlledWork();
    const queue = new AppointmentWorkQueue(work, 4, silent);
    queue.touch('a');
    queue.touch('a');
    queue.touch('a');
    expect(started).toEqual(['a']);
    finish('a');
    await eventually(() => expect(started).toEqual(['a', 'a']));
    finish('a');
    await queue.stop();
    expect(started).toEqual(['a', 'a']);
  });

  it('looks again at the retry time the run asked for', async () => {
    const { started, work, finish } = controlledWork();
    const queue = new AppointmentWorkQueue(work, 1, silent);
    queue.touch('a');
    finish('a', { retryAt: new Date(Date.now() + 30).toISOString() });
    await eventually(() => expect(started).toEqual(['a', 'a']), 2_000);
    expect(queue.size.waiting).toBe(0);
    finish('a');
    await queue.stop();
  });

  it('an unexpected failure (the database away) is tried again later, not lost', async () => {
    let calls = 0;
    const queue = new AppointmentWorkQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return { retryAt: null };
      },
      1,
      silent,
    );
    queue.touch('a');
    await eventually(() => expect(calls).toBe(2), 2_000);
    await queue.stop();
  });
});
