import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContextOptions, Response } from 'playwright-core';

type SignedIn = BrowserContextOptions['storageState'];

/** What one visit measured; all times in ms, read on the page's own clock (performance.now()). */
export interface Visit {
  /** Navigation start of `/admin/?date=<monday>` → the first frame with all of the day's appointments in the DOM. */
  firstLoadMs: number;
  /** Click on "Week" → the first frame with all of the week's appointments in the DOM (fetch included). */
  weekMs: number;
  /** The end of the week's last /appointments response → that same frame: the drawing alone. */
  weekRenderMs: number;
  scripts: ScriptSize[];
}

export interface ScriptSize {
  path: string;
  bytes: number;
  gzipBytes: number;
  /** The body as the ledger sent it (compressed only if it compressed it). */
  sentBytes: number;
  contentEncoding: string;
}

/** The few browser globals the in-page probes touch (this project compiles without the DOM library). */
interface PageGlobals {
  document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }> };
  performance: { now(): number; getEntriesByType(type: 'resource'): { name: string; startTime: number; responseEnd: number }[] };
  requestAnimationFrame(callback: () => void): number;
}

const ADMIN_SCRIPT = /^\/admin\/assets\/[^/]+\.js$/;
const TIMEOUT_MS = 60_000;

/**
 * One person, signed in, in a new browser context (no cached file, no cached data): opens the Monday's day view,
 * then switches to the week. Each time is the first animation frame at which the DOM holds every appointment.
 */
export async function visit(browser: Browser, baseURL: string, storageState: SignedIn, week: { monday: string; onMonday: number; appointments: number }): Promise<Visit> {
  const context = await browser.newContext({ baseURL, storageState, locale: 'en-GB', viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    const scripts: Promise<ScriptSize>[] = [];
    page.on('response', (response) => {
      if (ADMIN_SCRIPT.test(new URL(response.url()).pathname)) scripts.push(sizeOf(response));
    });
    await page.goto(`/admin/?date=${week.monday}`, { waitUntil: 'commit' });
    const rendered = await page.waitForFunction(
      (expected) => {
        const page = globalThis as typeof globalThis & PageGlobals;
        const ids = new Set([...page.document.querySelectorAll('[data-appointment-id]')].map((element) => element.getAttribute('data-appointment-id')));
        return ids.size >= expected ? page.performance.now() : false;
      },
      week.onMonday,
      { polling: 'raf', timeout: TIMEOUT_MS },
    );
    const firstLoadMs = (await rendered.jsonValue()) as number;
    const weekButton = page.getByRole('button', { name: 'Week', exact: true });
    const switched = await weekButton.evaluate(
      (button: { click(): void }, { expected, timeoutMs }) =>
        new Promise<{ weekMs: number; weekRenderMs: number }>((resolve, reject) => {
          const page = globalThis as typeof globalThis & PageGlobals;
          const clickedAt = page.performance.now();
          const giveUp = setTimeout(() => reject(new Error(`the week's ${expected} appointments were not all drawn within ${timeoutMs} ms`)), timeoutMs);
          const frame = () => {
            const ids = new Set([...page.document.querySelectorAll('[data-appointment-id]')].map((element) => element.getAttribute('data-appointment-id')));
            if (ids.size < expected) return void page.requestAnimationFrame(frame);
            const drawnAt = page.performance.now();
            clearTimeout(giveUp);
            const dataAt = Math.max(
              clickedAt,
              ...page.performance
                .getEntriesByType('resource')
                .filter((entry) => entry.name.includes('/appointments?') && entry.startTime >= clickedAt)
                .map((entry) => entry.responseEnd),
            );
            resolve({ weekMs: drawnAt - clickedAt, weekRenderMs: drawnAt - dataAt });
          };
          button.click();
          page.requestAnimationFrame(frame);
        }),
      { expected: week.appointments, timeoutMs: TIMEOUT_MS },
    );
    return { firstLoadMs, ...switched, scripts: await Promise.all(scripts) };
  } finally {
    await context.close();
  }
}

async function sizeOf(response: Response): Promise<ScriptSize> {
  const body = await response.body();
  const sizes = await response.request().sizes();
  return {
    path: new URL(response.url()).pathname,
    bytes: body.length,
    gzipBytes: gzipSync(body).length,
    sentBytes: sizes.responseBodySize,
    contentEncoding: (await response.headerValue('content-encoding')) ?? 'none',
  };
}
