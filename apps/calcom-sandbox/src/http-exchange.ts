import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from './sandbox-error.js';

export interface HttpAnswer {
  status: number;
  body?: unknown;
}

/** Finds the route for a method and path; patterns capture path parameters in order. */
export function matchRoute<Route extends { method: string; pattern: RegExp }>(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match) return { route, params: match.slice(1).map(decodeURIComponent) };
  }
  return undefined;
}

/** The parsed JSON body, or undefined for an empty one. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}

export function writeJson(response: ServerResponse, answer: HttpAnswer): void {
  if (answer.body === undefined) {
    response.writeHead(answer.status).end();
    return;
  }
  const body = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
