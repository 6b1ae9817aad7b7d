import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HttpException, HttpStatus } from '@nestjs/common';
import compression from 'compression';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from '../http/error-body.js';
import { adminUiSecurityHeaders } from './security-headers.js';

export const ADMIN_UI_PATH = '/admin';
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * The admin UI (built by `vite build` into `directory`) at /admin/: its files as they are, hashed assets cached for
 * good, and index.html for every other path under /admin/ so the UI's own routes survive a reload. A missing asset
 * is a 404 in the error shape, never index.html (a script answered with HTML would fail in the browser with a
 * misleading error). Without a build, /admin/ says so with a 503 instead of failing.
 */
export function serveAdminUi(app: NestExpressApplication, directory: string): void {
  const indexHtml = join(directory, 'index.html');
  app.use(ADMIN_UI_PATH, adminUiSecurityHeaders, (request: Request, response: Response, next: NextFunction) => {
    if (!READ_METHODS.has(request.method)) {
      response.setHeader('Allow', 'GET, HEAD');
      return next(new HttpException(errorBody('METHOD_NOT_ALLOWED', 'The admin UI is only read: GET or HEAD', { allow: ['GET', 'HEAD'] }), HttpStatus.METHOD_NOT_ALLOWED));
    }
    // `/admin` itself: the UI's base is `/admin/`, and its relative asset paths need the slash.
    if (request.originalUrl === ADMIN_UI_PATH || request.originalUrl.startsWith(`${ADMIN_UI_PATH}?`)) return response.redirect(302, `${ADMIN_UI_PATH}/`);
    next();
  });
  // The bundle is ~600 kB as built and ~170 kB gzipped: what a salon's tablet on a weak line waits for.
  app.use(ADMIN_UI_PATH, compression());
  app.useStaticAssets(directory, {
    prefix: `${ADMIN_UI_PATH}/`,
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (response, path) => {
      response.setHeader('Cache-Control', path.includes(`${join(directory, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use(ADMIN_UI_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.path.startsWith('/assets/')) {
      return next(new HttpException(errorBody('NOT_FOUND', 'No such file in the admin UI', { path: request.path.slice(0, 200) }), HttpStatus.NOT_FOUND));
    }
    if (!existsSync(indexHtml)) return uiNotBuilt(request, response);
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(indexHtml, (error) => error && next(error));
  });
}

function uiNotBuilt(request: Request, response: Response): void {
  const message = 'The admin UI has not been built: run npm run build (npm start does it), then reload.';
  response.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', '60');
  if (request.accepts(['json', 'html']) === 'html') {
    response.type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Admin UI not built</title><h1>Admin UI not built</h1><p>${message}</p></html>`);
    return;
  }
  response.json(errorBody('UI_NOT_BUILT', message, { directory: 'dist/admin-ui' }));
}
