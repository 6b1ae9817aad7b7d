import { WebhookIntakeLoad } from '../src/calcom-webhooks/webhook-intake-load.js';

/** A commit that settles when the test says so. */
function pendingCommit(): { committed: Promise<string>; commit(): void; fail(): void } {
  let commit!: () => void;
  let fail!: () => void;
  const committed = new Promise<string>((resolve, reject) => {
    commit = () => resolve('committed');
    fail = () => reject(new Error('refused'));
  });
  return { committed, commit, fail };
}

/** Whether `promise` has settled once everything already due has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the webhook intake goes first', () => {
  it('lets the translator go at once while no more than busyAbove deliveries wait for their commit', async () => {
    const load = new WebhookIntakeLoad({ busyAbove: 2, maxWaitMs: 60_000 });
    const commits = [pendingCommit(), pendingCommit()];
    for (const { committed } of commits) void load.track(committed);
    expect(await settled(load.giveWay())).toBe(true);
    for (const { commit } of commits) commit();
  });

  it('holds the translator while more wait, until commits (or refusals) bring them back to busyAbove', async () => {
    const load = new WebhookIntakeLoad({ busyAbove: 1, maxWaitMs: 60_000 });
    const commits = [pendingCommit(), pendingCommit(), pendingCommit()];
    for (const { committed } of commits) load.track(committed).catch(() => undefined);
    const turn = load.giveWay();
    expect(await settled(turn)).toBe(false);
    commits[0].commit();
    expect(await settled(turn)).toBe(false);
    commits[1].fail();
    expect(await settled(turn)).toBe(true);
    commits[2].commit();
  });

  it('hands each delivery its own outcome unchanged', async () => {
    const load = new WebhookIntakeLoad({ busyAbove: 0, maxWaitMs: 60_000 });
    const ok = pendingCommit();
    const refused = pendingCommit();
    const answers = [load.track(ok.committed), load.track(refused.committed)];
    ok.commit();
    refused.fail();
    await expect(answers[0]).resolves.toBe('committed');
    await expect(answers[1]).rejects.toThrow('refused');
  });

  it('slows the translator down under a busy intake but never stops it: it goes after maxWaitMs', async () => {
    const load = new WebhookIntakeLoad({ busyAbove: 0, maxWaitMs: 20 });
    const stuck = pendingCommit();
    void load.track(stuck.committed);
    const started = performance.now();
    await load.giveWay();
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    stuck.commit();
  });
});
