import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../apps/ledger/src/config.js';
import { startLedger } from '../../apps/ledger/src/ledger.js';
import { LedgerClient } from '../support/ledger-client.js';

/** The default a new user gets: no DATABASE_URL, an embedded PostgreSQL under DATA_DIR that outlives restarts. */
describe('embedded default', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ledger-embedded-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps appointments, catalog and tokens across a restart', async () => {
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
    const config = await loadConfig(env);
    expect(config.databaseUrl).toBeNull();
    const adminToken = config.apiTokens.find((t) => t.role === 'admin')!.token;

    const first = await startLedger(config, { logger: false });
    const before = new LedgerClient(first.url, adminToken);
    expect((await before.put('/staff/sam', { name: 'Sam', email: 'sam@salon.example' })).status).toBe(200);
    expect((await before.put('/services/cut', { name: 'Cut', durationMinutes: 30, calcomEventTypeIds: {} })).status).toBe(200);
    const created = await before.post('/appointments', {
      serviceId: 'cut',
      staffId: 'sam',
      startsAt: '2035-06-01T09:00:00Z',
      customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC' },
    });
    expect(created.status).toBe(201);
    await first.close();

    const again = await loadConfig(env);
    expect(again.apiTokens).toEqual(config.apiTokens);
    const second = await startLedger(again, { logger: false });
    try {
      const after = new LedgerClient(second.url, adminToken);
      const read = await after.get(`/appointments/${created.body.appointmentId}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ staffId: 'sam', startsAt: '2035-06-01T09:00:00.000Z', version: 1 });
      expect((await after.get('/appointments')).body.items).toHaveLength(1);
      expect((await after.get('/staff')).body.items).toEqual([expect.objectContaining({ staffId: 'sam' })]);
    } finally {
      await second.close();
    }
  });
});
