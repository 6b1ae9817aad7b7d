import { defaultAuthSettings } from '../src/auth/auth.config.js';
import { ConfigError, loadConfig } from '../src/config.js';

describe('sign-in settings', () => {
  const env = { API_TOKENS: 'admin:admin-token-1' };

  test('defaults: no configured admin, 30 idle minutes, 5 failures per email, 20 per address, 15-minute locks, no proxy trusted, UTC', async () => {
    const config = await loadConfig(env);
    expect(config.auth).toEqual(defaultAuthSettings);
    expect(config.auth).toMatchObject({ firstAdmin: null, sessionIdleMs: 1_800_000, maxFailuresPerEmail: 5, maxFailuresPerIp: 20, lockMs: 900_000, trustProxy: false });
    expect(config.businessTimeZone).toBe('UTC');
    expect(config.live?.maxStreams).toBe(100);
  });

  test('reads every variable; minutes may be fractional', async () => {
    const config = await loadConfig({
      ...env,
      ADMIN_EMAIL: 'Owner@Salon.example',
      ADMIN_PASSWORD: 'a-long-enough-password',
      SESSION_IDLE_MINUTES: '0.05',
      SIGN_IN_MAX_FAILURES: '3',
      SIGN_IN_MAX_FAILURES_PER_IP: '50',
      SIGN_IN_LOCK_MINUTES: '2',
      TRUST_PROXY: '1',
      BUSINESS_TIME_ZONE: 'Europe/Berlin',
      LIVE_MAX_STREAMS: '7',
    });
    expect(config.auth).toEqual({
      firstAdmin: { email: 'Owner@Salon.example', password: 'a-long-enough-password' },
      sessionIdleMs: 3_000,
      maxFailuresPerEmail: 3,
      maxFailuresPerIp: 50,
      lockMs: 120_000,
      trustProxy: 1,
    });
    expect(config.businessTimeZone).toBe('Europe/Berlin');
    expect(config.live?.maxStreams).toBe(7);
  });

  test.each([
    [{ ADMIN_EMAIL: 'owner@salon.example' }, 'ADMIN_EMAIL and ADMIN_PASSWORD go together'],
    [{ ADMIN_PASSWORD: 'a-long-enough-password' }, 'ADMIN_EMAIL and ADMIN_PASSWORD go together'],
    [{ ADMIN_EMAIL: 'not an email', ADMIN_PASSWORD: 'a-long-enough-password' }, 'ADMIN_EMAIL must be an email address'],
    [{ ADMIN_EMAIL: 'owner@salon.example', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD must be at least 12 characters'],
    [{ SESSION_IDLE_MINUTES: '0' }, 'SESSION_IDLE_MINUTES must be a positive number'],
    [{ SESSION_IDLE_MINUTES: '30m' }, 'SESSION_IDLE_MINUTES must be a positive number'],
    [{ SIGN_IN_MAX_FAILURES: '0' }, 'SIGN_IN_MAX_FAILURES must be a whole number'],
    [{ BUSINESS_TIME_ZONE: 'Mars/Olympus' }, 'BUSINESS_TIME_ZONE must be an IANA time zone'],
    [{ LIVE_MAX_STREAMS: '0' }, 'LIVE_MAX_STREAMS must be at least 1'],
  ])('%j is refused at start-up', async (bad, message) => {
    const refusal = loadConfig({ ...env, ...bad });
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(refusal).rejects.toThrow(message);
  });
});
