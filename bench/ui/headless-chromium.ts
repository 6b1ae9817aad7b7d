import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * @sparticuz/chromium's flags are made for AWS Lambda: one process (closing the last page ends the browser) and web
 * security off. A browser test or the UI bench wants a normal browser, same-origin rules included.
 */
const LAMBDA_ONLY = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content']);

/**
 * A real headless Chromium that arrives with `npm ci` (@sparticuz/chromium); CHROMIUM_PATH may name another. The
 * browser tests (test/browser) and the UI section of `npm run bench` both launch it here, so the bench measures the
 * browser the tests use.
 */
export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (await chromium.executablePath()),
    args: chromium.args.filter((arg) => !LAMBDA_ONLY.has(arg)),
    headless: true,
  });
}
