import { emailProblem, newPasswordProblem } from './account-input.js';

export interface AuthSettings {
  /** `ADMIN_EMAIL` / `ADMIN_PASSWORD`: the first admin, added on start when no account has that email. */
  firstAdmin: { email: string; password: string } | null;
  /** `SESSION_IDLE_MINUTES` (30): a session not used for this long is gone. */
  sessionIdleMs: number;
  /** `SIGN_IN_MAX_FAILURES` (5): failed sign-ins for one email within the window before it is locked. */
  maxFailuresPerEmail: number;
  /** `SIGN_IN_MAX_FAILURES_PER_IP` (20): the same for one client address, whatever the emails. */
  maxFailuresPerIp: number;
  /** `SIGN_IN_LOCK_MINUTES` (15): the window failures are counted in, and how long a lock lasts. */
  lockMs: number;
  /** `TRUST_PROXY`: Express's `trust proxy` (e.g. `1`, `loopback`); only then X-Forwarded-For/-Proto are believed. */
  trustProxy: string | number | false;
}

export const defaultAuthSettings: AuthSettings = {
  firstAdmin: null,
  sessionIdleMs: 30 * 60_000,
  maxFailuresPerEmail: 5,
  maxFailuresPerIp: 20,
  lockMs: 15 * 60_000,
  trustProxy: false,
};

/** Reads the sign-in variables; `fail` builds the start-up error for a bad value. */
export function parseAuthSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): AuthSettings {
  // Minutes may be fractional (0.05 = 3 s), so a test can watch a session expire without waiting half an hour.
  const minutes = (name: string, fallbackMs: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallbackMs;
    const parsed = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 0)) throw fail(`${name} must be a positive number of minutes, got "${value}"`);
    return Math.round(parsed * 60_000);
  };
  const count = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw fail(`${name} must be a whole number of at least 1, got "${value}"`);
    return parsed;
  };
  return {
    firstAdmin: firstAdmin(env, fail),
    sessionIdleMs: minutes('SESSION_IDLE_MINUTES', defaultAuthSettings.sessionIdleMs),
    maxFailuresPerEmail: count('SIGN_IN_MAX_FAILURES', defaultAuthSettings.maxFailuresPerEmail),
    maxFailuresPerIp: count('SIGN_IN_MAX_FAILURES_PER_IP', defaultAuthSettings.maxFailuresPerIp),
    lockMs: minutes('SIGN_IN_LOCK_MINUTES', defaultAuthSettings.lockMs),
    trustProxy: trustProxy(env.TRUST_PROXY),
  };
}

function firstAdmin(env: NodeJS.ProcessEnv, fail: (message: string) => Error): AuthSettings['firstAdmin'] {
  const email = env.ADMIN_EMAIL?.trim();
  const password = env.ADMIN_PASSWORD;
  if (!email && !password) return null;
  if (!email || !password) throw fail('ADMIN_EMAIL and ADMIN_PASSWORD go together: set both, or neither (an admin is then generated)');
  const emailWrong = emailProblem(email);
  if (emailWrong) throw fail(`ADMIN_EMAIL ${emailWrong}, got "${email.slice(0, 100)}"`);
  const passwordWrong = newPasswordProblem(password);
  if (passwordWrong) throw fail(`ADMIN_PASSWORD ${passwordWrong}`);
  return { email, password };
}

function trustProxy(value: string | undefined): AuthSettings['trustProxy'] {
  if (value === undefined || value === '' || value === 'false') return false;
  return /^\d+$/.test(value) ? Number(value) : value;
}
