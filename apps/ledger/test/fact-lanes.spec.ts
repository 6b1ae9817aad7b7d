import { lanesOf, runLanes } from '../src/calcom-webhooks/fact-lanes.js';

interface Fact {
  id: string;
  uids: string[];
}
const fact = (id: string, ...uids: string[]): Fact => ({ id, uids });
const ids = (lanes: Fact[][]) => lanes.map((lane) => lane.map((item) => item.id));

describe('lanes of a batch of webhook facts', () => {
  it('keeps facts about the same booking in one lane, in their order', () => {
    expect(ids(lanesOf([fact('create-a', 'a'), fact('create-b', 'b'), fact('cancel-a', 'a')], (item) => item.uids))).toEqual([['create-a', 'cancel-a'], ['create-b']]);
  });

  it('joins lanes linked by a reschedule (old uid and new uid) and keeps the original order when they merge', () => {
    const facts = [fact('cancel-c', 'c'), fact('create-a', 'a'), fact('move-a-to-c', 'c', 'a'), fact('create-x', 'x')];
    expect(ids(lanesOf(facts, (item) => item.uids))).toEqual([['cancel-c', 'create-a', 'move-a-to-c'], ['create-x']]);
  });

  it('gives a fact without a uid a lane of its own', () => {
    expect(ids(lanesOf([fact('ping-1'), fact('ping-2')], (item) => item.uids))).toEqual([['ping-1'], ['ping-2']]);
  });
});

describe('running lanes', () => {
  it('runs each lane in order and lanes side by side, never more at once than asked', async () => {
    const lanes = [[1, 2, 3], [4, 5], [6], [7]];
    const done: number[] = [];
    let running = 0;
    let most = 0;
    await runLanes(lanes, 2, async (item) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      done.push(item);
      running--;
    });
    expect(most).toBe(2);
    expect(done.filter((item) => item <= 3)).toEqual([1, 2, 3]);
    expect(done.filter((item) => item === 4 || item === 5)).toEqual([4, 5]);
    expect([...done].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects with the failure of a fact', async () => {
    await expect(
      runLanes([[1], [2]], 2, async (item) => {
        if (item === 2) throw new Error('database away');
      }),
    ).rejects.toThrow('database away');
  });
});
