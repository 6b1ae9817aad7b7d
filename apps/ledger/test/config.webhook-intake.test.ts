import { DEFAULT_GROUP_COMMIT } from '#event-store';
import { ConfigError, loadConfig } from '../src/config.js';

describe('webhook intake settings', () => {
  const env = { API_TOKENS: 'admin:admin-token-1' };

  test('default: the group commit defaults, 5,000 deliveries waiting at most', async () => {
    expect((await loadConfig(env)).webhookIntake).toEqual(DEFAULT_GROUP_COMMIT);
    expect(DEFAULT_GROUP_COMMIT.maxQueued).toBe(5_000);
  });

  test('WEBHOOK_INTAKE_QUEUE_LIMIT sets how many may wait', async () => {
    expect((await loadConfig({ ...env, WEBHOOK_INTAKE_QUEUE_LIMIT: '12' })).webhookIntake).toEqual({ ...DEFAULT_GROUP_COMMIT, maxQueued: 12 });
  });

  test.each(['0', '-1', '1.5', 'many', '12\u0000'])('WEBHOOK_INTAKE_QUEUE_LIMIT=%j is refused at start-up', async (value) => {
    await expect(loadConfig({ ...env, WEBHOOK_INTAKE_QUEUE_LIMIT: value })).rejects.toThrow(ConfigError);
  });
});
