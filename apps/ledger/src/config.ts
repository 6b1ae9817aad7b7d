import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConflictPolicy } from '#domain';
import { DEFAULT_GROUP_COMMIT, type GroupCommitSettings } from '#event-store';
import { parseDriftSettings, type DriftSettings } from './drift/drift.config.js';
import { parseAuthSettings, type AuthSettings } from './auth/auth.config.js';
import { defaultLiveSettings, type LiveSettings } from './live/live-clients.js';

export type Role = 'admin' | 'auditor';

export interface ApiToken {
  role: Role;
  token: string;
}

export interface LedgerConfig {
  port: number;
  host: string;
  /** PostgreSQL to use; when absent, an embedded one is started under `dataDir`. */
  databaseUrl: string | null;
  /** `EVENTSTORE_URL`: EventStoreDB / KurrentDB for the events; PostgreSQL keeps the read models. Absent: events in PostgreSQL. */
  eventStoreUrl?: string | null;
  dataDir: string;
  apiTokens: ApiToken[];
  /** Where the tokens came from, for the start-up log. */
  apiTokensSource: 'env' | string;
  /** How long a command waits for its own effect to reach the read model before answering. */
  readYourWritesTimeoutMs: number;
  /** HMAC key of Cal.com's `X-Cal-Signature-256`; without it every webhook is refused. */
  calcomWebhookSecret?: string | null;
  /** The ledger's public address (`PUBLIC_URL`): `calcom:connect` registers `${publicUrl}/webhooks/calcom` on Cal.com. */
  publicUrl?: string | null;
  /** After a webhook secret rotation, how long the previous secret is still accepted (`CALCOM_WEBHOOK_SECRET_OVERLAP_MS`). */
  calcomWebhookSecretOverlapMs?: number;
  /** Who settles a conflict between Cal.com and the ledger: a person (`manual`, the default) or one side at once. */
  conflictPolicy?: ConflictPolicy;
  /** Where each notification (permanent sync failure, conflict, unmapped webhook) is POSTed; none: only listed. */
  notifyWebhookUrl?: string | null;
  /** Cal.com's API and the outbound sync; absent: no sync at all (tests of the core). */
  calcom?: CalcomSettings;
  /** The drift report: window, schedule, healing policy (`DRIFT_*`); absent: the defaults. */
  drift?: DriftSettings;
  /** `WORKER_LEASE_RETRY_MS`: how often a standby tries to take the background workers' lock, and the leader checks it still holds it. */
  workerLeaseRetryMs?: number;
  /** Sign-in and sessions (`ADMIN_EMAIL`, `ADMIN_PASSWORD`, `SESSION_IDLE_MINUTES`, `SIGN_IN_*`, `TRUST_PROXY`); absent: the defaults. */
  auth?: AuthSettings;
  /** The webhook intake's group commit (`WEBHOOK_INTAKE_QUEUE_LIMIT`: deliveries waiting beyond it are refused 503); absent: the defaults. */
  webhookIntake?: GroupCommitSettings;
  /** `/live` streams (`LIVE_MAX_STREAMS`); absent: the defaults. */
  live?: LiveSettings;
  /** `BUSINESS_TIME_ZONE` (UTC): the salon's IANA time zone, the admin UI's calendar is drawn in it. */
  businessTimeZone?: string;
  /** `ADMIN_UI_DIR` (`dist/admin-ui`): the built admin UI, served at /admin/. */
  adminUiDir?: string;
  /** The ledger's version (package.json), shown by `/ui/config`. */
  version?: string;
}

export interface CalcomSettings {
  /** `CALCOM_API_URL`, default https://api.cal.com. */
  apiUrl: string;
  /** `CALCOM_API_KEY`; null: none given, so the ledger starts the Cal.com sandbox in-process and syncs with it. */
  apiKey: string | null;
  /** `CALCOM_TIMEOUT_MS`: one Cal.com request; a timeout is an unknown outcome, looked up before repeating. */
  timeoutMs: number;
  /**
   * `CALCOM_SLOT_CHECK_TIMEOUT_MS` (2000): how long an admin's command waits for Cal.com's free slots before it goes
   * ahead unchecked, as when Cal.com is down (absent: the default).
   */
  slotCheckTimeoutMs?: number;
  /** `CALCOM_RATE_LIMIT_PER_MINUTE`: Cal.com's limit for the key (120). */
  rateLimitPerMinute: number;
  /** `SYNC_CONCURRENCY`: appointments synced at once (each one's operations stay in order). */
  syncConcurrency: number;
  /** `SYNC_RETRY_INITIAL_MS` / `SYNC_RETRY_MAX_MS`: exponential backoff bounds for retryable failures. */
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /**
   * `CALCOM_OPERATION_MAX_ATTEMPTS` (10) / `CALCOM_OPERATION_MAX_MS` (1800000): one Cal.com operation's budget; once
   * either is spent and Cal.com shows the call did not take effect, the sync is `failed` (absent: the defaults).
   */
  operationMaxAttempts?: number;
  operationMaxMs?: number;
  /** `SANDBOX_PORT` (4010): where the in-process sandbox listens when there is no API key. */
  sandboxPort: number;
}

export const DEFAULT_WORKER_LEASE_RETRY_MS = 2000;

export class ConfigError extends Error {}

/** Reads and checks the environment once at start-up; everything else receives the resulting object. */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<LedgerConfig> {
  const dataDir = resolve(env.DATA_DIR ?? './.data');
  const port = integer(env.PORT ?? '3000', 'PORT');
  const tokens = env.API_TOKENS ? parseApiTokens(env.API_TOKENS) : await generatedTokens(dataDir);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || null,
    eventStoreUrl: env.EVENTSTORE_URL ? eventStoreUrl(env.EVENTSTORE_URL) : null,
    dataDir,
    apiTokens: tokens,
    apiTokensSource: env.API_TOKENS ? 'env' : join(dataDir, 'api-tokens'),
    readYourWritesTimeoutMs: integer(env.READ_YOUR_WRITES_TIMEOUT_MS ?? '5000', 'READ_YOUR_WRITES_TIMEOUT_MS'),
    calcomWebhookSecret: env.CALCOM_WEBHOOK_SECRET || null,
    publicUrl: env.PUBLIC_URL ? httpUrl(env.PUBLIC_URL, 'PUBLIC_URL') : null,
    calcomWebhookSecretOverlapMs: integer(env.CALCOM_WEBHOOK_SECRET_OVERLAP_MS || '600000', 'CALCOM_WEBHOOK_SECRET_OVERLAP_MS'),
    conflictPolicy: conflictPolicy(env.CONFLICT_POLICY ?? 'manual'),
    notifyWebhookUrl: env.NOTIFY_WEBHOOK_URL ? httpUrl(env.NOTIFY_WEBHOOK_URL, 'NOTIFY_WEBHOOK_URL') : null,
    calcom: calcomSettings(env),
    drift: parseDriftSettings(env, (message) => new ConfigError(message)),
    workerLeaseRetryMs: positiveInteger(env.WORKER_LEASE_RETRY_MS || String(DEFAULT_WORKER_LEASE_RETRY_MS), 'WORKER_LEASE_RETRY_MS'),
    auth: parseAuthSettings(env, (message) => new ConfigError(message)),
    webhookIntake: {
      ...DEFAULT_GROUP_COMMIT,
      maxQueued: positiveInteger(env.WEBHOOK_INTAKE_QUEUE_LIMIT || String(DEFAULT_GROUP_COMMIT.maxQueued), 'WEBHOOK_INTAKE_QUEUE_LIMIT'),
    },
    live: { ...defaultLiveSettings, maxStreams: positiveInteger(env.LIVE_MAX_STREAMS || String(defaultLiveSettings.maxStreams), 'LIVE_MAX_STREAMS') },
    businessTimeZone: timeZone(env.BUSINESS_TIME_ZONE || 'UTC', 'BUSINESS_TIME_ZONE'),
    adminUiDir: resolve(env.ADMIN_UI_DIR || 'dist/admin-ui'),
    version: env.npm_package_version || 'unknown',
  };
}

function calcomSettings(env: NodeJS.ProcessEnv): CalcomSettings {
  const apiUrl = env.CALCOM_API_URL || 'https://api.cal.com';
  if (!URL.canParse(apiUrl)) throw new ConfigError(`CALCOM_API_URL must be a URL, got "${apiUrl}"`);
  const positive = (name: string, fallback: string) => {
    const value = integer(env[name] || fallback, name);
    if (value === 0) throw new ConfigError(`${name} must be at least 1`);
    return value;
  };
  return {
    apiUrl,
    apiKey: env.CALCOM_API_KEY || null,
    timeoutMs: positive('CALCOM_TIMEOUT_MS', '10000'),
    slotCheckTimeoutMs: positive('CALCOM_SLOT_CHECK_TIMEOUT_MS', '2000'),
    rateLimitPerMinute: positive('CALCOM_RATE_LIMIT_PER_MINUTE', '120'),
    syncConcurrency: positive('SYNC_CONCURRENCY', '8'),
    retryInitialDelayMs: positive('SYNC_RETRY_INITIAL_MS', '500'),
    retryMaxDelayMs: positive('SYNC_RETRY_MAX_MS', '300000'),
    operationMaxAttempts: positive('CALCOM_OPERATION_MAX_ATTEMPTS', '10'),
    operationMaxMs: positive('CALCOM_OPERATION_MAX_MS', '1800000'),
    sandboxPort: integer(env.SANDBOX_PORT || '4010', 'SANDBOX_PORT'),
  };
}

/** `role:token,role:token` with roles `admin` and `auditor`. */
export function parseApiTokens(value: string): ApiToken[] {
  const tokens = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf(':');
      const role = entry.slice(0, separator);
      const token = entry.slice(separator + 1);
      if (separator < 1 || (role !== 'admin' && role !== 'auditor') || token.length < 8) {
        throw new ConfigError(`API_TOKENS entry "${entry.slice(0, 12)}…" must be admin:<token> or auditor:<token>, tokens of 8+ characters`);
      }
      return { role, token } as ApiToken;
    });
  if (tokens.length === 0) throw new ConfigError('API_TOKENS is set but holds no tokens');
  return tokens;
}

/** Without API_TOKENS the service still starts safely: random tokens, kept in the data folder across restarts. */
async function generatedTokens(dataDir: string): Promise<ApiToken[]> {
  const file = join(dataDir, 'api-tokens');
  if (existsSync(file)) return parseApiTokens((await readFile(file, 'utf8')).trim());
  const tokens: ApiToken[] = [
    { role: 'admin', token: randomBytes(24).toString('base64url') },
    { role: 'auditor', token: randomBytes(24).toString('base64url') },
  ];
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${tokens.map((t) => `${t.role}:${t.token}`).join(',')}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return tokens;
}

/** The client (@eventstore/db-client v6) takes esdb:// and esdb+discover:// connection strings only. */
function eventStoreUrl(value: string): string {
  if (!/^esdb(\+discover)?:\/\//.test(value)) {
    throw new ConfigError('EVENTSTORE_URL must start with esdb:// or esdb+discover://, e.g. esdb://localhost:2113?tls=false');
  }
  return value;
}

function integer(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function positiveInteger(value: string, name: string): number {
  const parsed = integer(value, name);
  if (parsed === 0) throw new ConfigError(`${name} must be at least 1`);
  return parsed;
}

function timeZone(value: string, name: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(`${name} must be an IANA time zone such as Europe/Berlin, got "${value}"`);
  }
}

function conflictPolicy(value: string): ConflictPolicy {
  if (value === 'manual' || value === 'ledger-wins' || value === 'calcom-wins') return value;
  throw new ConfigError(`CONFLICT_POLICY must be manual, ledger-wins or calcom-wins, got "${value}"`);
}

function httpUrl(value: string, name: string): string {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  return url.toString();
}
