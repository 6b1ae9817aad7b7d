import { existsSync } from 'node:fs';
import { percentile } from '../appends/latency-summary.js';
import { startLedgerWithSandbox } from '../calcom-sync/ledger-with-sandbox.js';
import { signIn } from './admin-ui-sign-in.js';
import { launchBrowser } from './headless-chromium.js';
import { visit, type ScriptSize, type Visit } from './page-timings.js';
import { seedWeek, STAFF, WEEK_CATALOG, type LedgerCall } from './week-seed.js';

export interface UiSettings {
  /** Measured visits, each in a new browser context; one unmeasured visit goes first. */
  visits: number;
}

export interface TimeFigure {
  p50Ms: number;
  maxMs: number;
  samplesMs: number[];
}

export interface UiFigure {
  appointments: number;
  staff: number;
  onFirstDay: number;
  visits: number;
  firstLoad: TimeFigure;
  week: TimeFigure;
  weekRender: TimeFigure;
  javascript: { files: number; bytes: number; gzipBytes: number; sentBytes: number; contentEncodings: string[] };
  loadAverage: { atStart: number; atEnd: number };
}

const ADMIN = { email: 'bench-admin@salon.example', password: 'bench admin password 1' };
const ADMIN_TOKEN = 'bench-ui-admin-token';
const BUILT_UI = 'dist/admin-ui/index.html';

/**
 * The admin UI in the headless Chromium the browser tests use, against the ledger in its own process as `npm start`
 * runs it (the built UI at /admin/, Cal.com sync to a sandbox in this process), with a week of 300 appointments.
 */
export async function measureUi(databaseUrl: string, settings: UiSettings, log: (line: string) => void): Promise<Omit<UiFigure, 'loadAverage'>> {
  if (!existsSync(BUILT_UI)) throw new Error(`${BUILT_UI} is missing: the UI bench needs the built admin UI (npm run build)`);
  const { ledger, stop } = await startLedgerWithSandbox(
    databaseUrl,
    WEEK_CATALOG,
    { API_TOKENS: `admin:${ADMIN_TOKEN}`, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, BUSINESS_TIME_ZONE: 'UTC' },
    log,
  );
  const browser = await launchBrowser();
  try {
    const week = await seedWeek(ledgerCall(ledger.url), log);
    const signedIn = await browser.newContext({ baseURL: ledger.url, locale: 'en-GB' });
    await signIn(await signedIn.newPage(), ADMIN.email, ADMIN.password);
    const storageState = await signedIn.storageState();
    await signedIn.close();
    log(`ui: ${settings.visits} visits (and one unmeasured) of /admin/?date=${week.monday}, then its week…`);
    await visit(browser, ledger.url, storageState, week);
    const visits: Visit[] = [];
    for (let index = 0; index < settings.visits; index++) visits.push(await visit(browser, ledger.url, storageState, week));
    return {
      appointments: week.appointments,
      staff: STAFF,
      onFirstDay: week.onMonday,
      visits: visits.length,
      firstLoad: timeFigure(visits.map((one) => one.firstLoadMs)),
      week: timeFigure(visits.map((one) => one.weekMs)),
      weekRender: timeFigure(visits.map((one) => one.weekRenderMs)),
      javascript: javascriptSent(visits.at(-1)!.scripts),
    };
  } finally {
    await browser.close();
    await stop();
  }
}

function timeFigure(samples: number[]): TimeFigure {
  const sorted = samples.map((ms) => Math.round(ms)).sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), maxMs: sorted.at(-1)!, samplesMs: samples.map((ms) => Math.round(ms)) };
}

function javascriptSent(scripts: ScriptSize[]): UiFigure['javascript'] {
  const sum = (key: 'bytes' | 'gzipBytes' | 'sentBytes') => scripts.reduce((total, script) => total + script[key], 0);
  return {
    files: scripts.length,
    bytes: sum('bytes'),
    gzipBytes: sum('gzipBytes'),
    sentBytes: sum('sentBytes'),
    contentEncodings: [...new Set(scripts.map((script) => script.contentEncoding))],
  };
}

function ledgerCall(url: string): LedgerCall {
  return async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  };
}
