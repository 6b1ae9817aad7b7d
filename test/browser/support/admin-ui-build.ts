import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE = 'apps/admin-ui';
const BUILT = 'dist/admin-ui/index.html';
const LOCK = 'dist/.admin-ui-build.lock';

/**
 * The UI the browser tests load is the one `npm run build:ui` makes. It is built when dist/admin-ui is missing or
 * older than any file of apps/admin-ui; a lock folder keeps two Jest workers from building over each other.
 */
export async function ensureAdminUiBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  mkdirSync('dist', { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`${LOCK} is still there after 120 s: another build hangs, or a killed one left it (remove it)`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (builtAt() < newestSourceChange(SOURCE)) {
      execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', `${SOURCE}/vite.config.ts`, '--logLevel', 'warn'], {
        stdio: 'inherit',
        // Jest sets NODE_ENV=test, which would give React's development build.
        env: { ...process.env, NODE_ENV: 'production' },
      });
    }
  } finally {
    rmdirSync(LOCK);
  }
}

function builtAt(): number {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
}

function newestSourceChange(folder: string): number {
  let newest = statSync(folder).mtimeMs;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}
