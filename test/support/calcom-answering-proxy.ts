import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the proxy gives itself instead of forwarding: Cal.com behaviours the sandbox does not (yet) have. */
export interface ProxyRule {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  /** Never answer: a Cal.com that hangs (the connection is dropped when the proxy closes). */
  hang?: boolean;
  /** Forward the request, so the change lands on the sandbox, and never answer: the answer lost (`status`, `body` unused). */
  landThenHang?: boolean;
}

/**
 * A real HTTP proxy in front of the sandbox: requests matching a rule get the rule's answer, everything else reaches
 * the sandbox unchanged. Every request is counted by method and path, so a test can say how often Cal.com was asked.
 */
export class CalcomAnsweringProxy {
  readonly rules: ProxyRule[] = [];
  private readonly seen = new Map<string, number>();
  private readonly asked: Array<{ method: string; path: string; query: URLSearchParams }> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<CalcomAnsweringProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new CalcomAnsweringProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => proxy.handle(target, request, response));
    return proxy;
  }

  /** How many `method path` requests arrived (the query string left out). */
  count(method: string, path: string): number {
    return this.seen.get(`${method} ${path}`) ?? 0;
  }

  /** The query strings of every `method path` request, in the order they arrived. */
  queries(method: string, path: string): URLSearchParams[] {
    return this.asked.filter((entry) => entry.method === method && entry.path === path).map((entry) => entry.query);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(target: string, request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0]!;
    this.seen.set(`${method} ${path}`, this.count(method, path) + 1);
    this.asked.push({ method, path, query: new URLSearchParams((request.url ?? '').split('?')[1] ?? '') });
    const rule = this.rules.find((candidate) => candidate.method === method && candidate.path.test(path));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (rule?.hang) return;
      if (rule && !rule.landThenHang) {
        response.writeHead(rule.status, { 'content-type': 'application/json' }).end(JSON.stringify(rule.body));
        return;
      }
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name))) as Record<string, string>;
      const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks);
      fetch(`${target}${request.url}`, { method, headers, body })
        .then(async (answer) => {
          const text = Buffer.from(await answer.arrayBuffer());
          if (rule?.landThenHang) return;
          const forwarded: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') forwarded[name] = value;
          });
          response.writeHead(answer.status, forwarded).end(text);
        })
        .catch(() => response.destroy());
    });
  }
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
