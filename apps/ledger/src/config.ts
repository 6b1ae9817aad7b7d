import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

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
  dataDir: string;
  apiTokens: ApiToken[];
  /** Where the tokens came from, for the start-up log. */
  apiTokensSource: 'env' | string;
  /** How long a command waits for its own effect to reach the read model before answering. */
  readYourWritesTimeoutMs: number;
}

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
    dataDir,
    apiTokens: tokens,
    apiTokensSource: env.API_TOKENS ? 'env' : join(dataDir, 'api-tokens'),
    readYourWritesTimeoutMs: integer(env.READ_YOUR_WRITES_TIMEOUT_MS ?? '5000', 'READ_YOUR_WRITES_TIMEOUT_MS'),
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

function integer(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new ConfigError(`${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}
