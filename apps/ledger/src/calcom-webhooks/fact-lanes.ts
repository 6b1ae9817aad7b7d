/**
 * Splits a batch of facts into lanes that may run side by side: facts that share a booking uid (a booking and
 * the one that replaced it, say) stay in one lane, in their original order. Facts about unrelated bookings do not
 * wait for each other; the appointment stream's expected revision still orders any two that meet there.
 */
export function lanesOf<T>(facts: readonly T[], keysOf: (fact: T) => readonly string[]): T[][] {
  const parent = facts.map((_, index) => index);
  const root = (index: number): number => {
    while (parent[index] !== index) index = parent[index] = parent[parent[index]];
    return index;
  };
  const ownerOfKey = new Map<string, number>();
  facts.forEach((fact, index) => {
    for (const key of keysOf(fact)) {
      const owner = ownerOfKey.get(key);
      if (owner === undefined) ownerOfKey.set(key, index);
      else parent[root(index)] = root(owner);
    }
  });
  const lanes = new Map<number, T[]>();
  facts.forEach((fact, index) => {
    const lane = lanes.get(root(index));
    if (lane) lane.push(fact);
    else lanes.set(root(index), [fact]);
  });
  return [...lanes.values()];
}

/** Runs each lane's facts in order, up to `concurrency` lanes at a time; rejects with the first failure. */
export async function runLanes<T>(lanes: readonly T[][], concurrency: number, work: (fact: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < lanes.length) {
      const lane = lanes[next++];
      for (const fact of lane) await work(fact);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
}
