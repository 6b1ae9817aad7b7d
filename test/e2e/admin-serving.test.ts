import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { startTestLedger } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The built admin UI at /admin/ (a stand-in build: the real one is the UI's own tests' business), / and /ui/config. */
let database: TestDatabase;
let ledger: RunningLedger;
let unbuilt: RunningLedger;
let build: string;

const INDEX = '<!doctype html><html><head><script type="module" src="/admin/assets/app-1a2b3c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("admin ui");';
const BIG_SCRIPT = `export const rows = [${Array.from({ length: 4_000 }, (_, index) => `"row ${index}"`).join(',')}];`;

beforeAll(async () => {
  database = await createTestDatabase('admin_serving');
  build = await mkdtemp(join(tmpdir(), 'admin-ui-build-'));
  await mkdir(join(build, 'assets'));
  await writeFile(join(build, 'index.html'), INDEX);
  await writeFile(join(build, 'assets', 'app-1a2b3c.js'), SCRIPT);
  await writeFile(join(build, 'assets', 'big-4d5e6f.js'), BIG_SCRIPT);
  await writeFile(join(build, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  ledger = await startTestLedger(database.url, { adminUiDir: build, businessTimeZone: 'Europe/Berlin', version: '9.9.9' });
  unbuilt = await startTestLedger(database.url, { adminUiDir: join(build, 'not-built-yet') });
});

afterAll(async () => {
  await ledger?.close();
  await unbuilt?.close();
  await database?.drop();
  await rm(build, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}, base = ledger.url) => fetch(`${base}${path}`, { redirect: 'manual', headers });

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function expectSecurityHeaders(response: Response) {
  expect(response.headers.get('content-security-policy')).toBe(CSP);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
}

it('sends / and /admin to /admin/ with a 302', async () => {
  for (const path of ['/', '/admin', '/admin?lang=de']) {
    const response = await get(path);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/');
  }
});

it('serves index.html at /admin/ and, for the UI’s own routes, the same page, never cached, with the CSP and security headers', async () => {
  for (const path of ['/admin/', '/admin/calendar', '/admin/appointments/a1b2/history', '/admin/.env']) {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(response);
    expect(await response.text()).toBe(INDEX);
  }
});

it('serves built assets as they are, cached for good; other files of the build too', async () => {
  const script = await get('/admin/assets/app-1a2b3c.js');
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expectSecurityHeaders(script);
  expect(await script.text()).toBe(SCRIPT);
  const icon = await get('/admin/favicon.svg');
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
});

it('sends assets gzipped to a browser that takes gzip, and as they are to one that does not', async () => {
  const gzipped = await get('/admin/assets/big-4d5e6f.js', { 'accept-encoding': 'gzip' });
  expect(gzipped.status).toBe(200);
  expect(gzipped.headers.get('content-encoding')).toBe('gzip');
  expect(gzipped.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(await gzipped.text()).toBe(BIG_SCRIPT);
  const plain = await get('/admin/assets/big-4d5e6f.js', { 'accept-encoding': 'identity' });
  expect(plain.headers.get('content-encoding')).toBeNull();
  expect(await plain.text()).toBe(BIG_SCRIPT);
});

it('answers a missing asset with a JSON 404, never the HTML page', async () => {
  for (const path of ['/admin/assets/missing-123.js', '/admin/assets/', '/admin/assets/..%2f..%2fpackage.json']) {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as any).error.code).toBe('NOT_FOUND');
    expectSecurityHeaders(response);
  }
});

it('never serves files outside the build', async () => {
  for (const path of ['/admin/..%2f..%2fpackage.json', '/admin/%2e%2e/%2e%2e/package.json', '/admin/../package.json']) {
    const response = await get(path);
    const text = await response.text();
    expect(text).not.toContain('appointment-ledger');
  }
});

it('answers a change sent to /admin with 405 and Allow', async () => {
  const response = await fetch(`${ledger.url}/admin/calendar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('GET, HEAD');
  expect(((await response.json()) as any).error.code).toBe('METHOD_NOT_ALLOWED');
});

it('says plainly that the UI was not built (503, HTML for a browser, JSON otherwise), and keeps the API up', async () => {
  const page = await get('/admin/', { accept: 'text/html,application/xhtml+xml' }, unbuilt.url);
  expect(page.status).toBe(503);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain('npm run build');
  expectSecurityHeaders(page);
  const json = await get('/admin/calendar', { accept: 'application/json' }, unbuilt.url);
  expect(json.status).toBe(503);
  expect(((await json.json()) as any).error).toMatchObject({ code: 'UI_NOT_BUILT', message: expect.stringContaining('npm run build') });
  expect((await get('/ui/config', {}, unbuilt.url)).status).toBe(200);
});

it('tells the UI its settings at /ui/config, without signing in and without secrets', async () => {
  const response = await get('/ui/config');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ businessTimeZone: 'Europe/Berlin', locales: ['en', 'de'], version: '9.9.9' });
});

it('lists the new endpoints in the OpenAPI document', async () => {
  const document = (await (await get('/docs/openapi.json')).json()) as any;
  for (const path of ['/auth/sign-in', '/auth/me', '/auth/sign-out', '/live', '/ui/config']) expect(Object.keys(document.paths)).toContain(path);
  expect(document.components.securitySchemes).toHaveProperty('ledger_session');
});
