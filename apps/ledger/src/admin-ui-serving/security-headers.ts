import type { NextFunction, Request, Response } from 'express';

/**
 * The UI's Content-Security-Policy: its own scripts, styles and API only; no inline script or <style> element, no
 * framing, no <base>, forms only to itself. React's `style={…}` goes through the CSSOM and is not blocked.
 */
export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** On every answer under /admin, files, fallbacks and refusals alike. */
export function adminUiSecurityHeaders(request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Content-Security-Policy', ADMIN_UI_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (request.secure) response.setHeader('Strict-Transport-Security', 'max-age=31536000');
  next();
}
