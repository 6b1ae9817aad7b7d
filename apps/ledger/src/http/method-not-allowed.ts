import { HttpException, HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { errorBody } from './error-body.js';

/** The parts of Express's router this reads: each route's path matchers and the methods it answers. */
interface RouteLayer {
  matchers: ((path: string) => unknown)[];
  route: { _methods(): string[]; _handlesMethod(method: string): boolean };
}
interface RouterOwner {
  router: { stack: { matchers?: RouteLayer['matchers']; route?: RouteLayer['route'] }[] };
}

/**
 * A known path asked with a method it does not take is a 405 with `Allow`, not a 404: the client got the method
 * wrong, not the address. `OPTIONS` on a known path answers 204 with `Allow`. Unknown paths fall through to the 404.
 * The routes are read from Express on first use, once Nest has registered them all.
 */
export function methodNotAllowed(expressApp: unknown) {
  let routes: RouteLayer[] | undefined;
  return (request: Request, response: Response, next: NextFunction): void => {
    routes ??= (expressApp as RouterOwner).router.stack.filter((layer): layer is RouteLayer => Boolean(layer.route && layer.matchers));
    const allowed = new Set<string>();
    for (const layer of routes) {
      if (!layer.matchers.some((match) => matches(match, request.path))) continue;
      if (layer.route._handlesMethod(request.method)) return next();
      for (const method of layer.route._methods()) allowed.add(method);
    }
    if (allowed.size === 0) return next();
    const allow = [...allowed, 'OPTIONS'].join(', ');
    response.setHeader('Allow', allow);
    if (request.method === 'OPTIONS') {
      response.status(HttpStatus.NO_CONTENT).end();
      return;
    }
    next(
      new HttpException(
        errorBody('METHOD_NOT_ALLOWED', `${request.method.slice(0, 20)} is not allowed on this path; it takes ${allow}`, { allow: [...allowed, 'OPTIONS'] }),
        HttpStatus.METHOD_NOT_ALLOWED,
      ),
    );
  };
}

function matches(match: (path: string) => unknown, path: string): boolean {
  try {
    return match(path) !== false;
  } catch {
    return false; // an undecodable parameter: the router itself answers it with a 400
  }
}
