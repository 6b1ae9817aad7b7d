import { ConfigError, loadConfig } from '../src/config.js';

describe('EVENTSTORE_URL', () => {
  const env = { API_TOKENS: 'admin:admin-token-1' };

  test('absent: events stay in PostgreSQL', async () => {
    expect((await loadConfig(env)).eventStoreUrl).toBeNull();
  });

  test.each(['esdb://localhost:2113?tls=false', 'esdb://node1:2113,node2:2113,node3:2113?tls=false', 'esdb+discover://cluster.example:2113'])(
    '%s selects EventStoreDB',
    async (url) => {
      expect((await loadConfig({ ...env, EVENTSTORE_URL: url })).eventStoreUrl).toBe(url);
    },
  );

  test.each(['postgres://localhost/ledger', 'kurrentdb://localhost:2113', 'localhost:2113'])('%s is refused at start-up', async (url) => {
    await expect(loadConfig({ ...env, EVENTSTORE_URL: url })).rejects.toThrow(ConfigError);
  });
});
