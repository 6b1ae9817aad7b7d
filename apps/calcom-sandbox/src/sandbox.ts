import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BusyCalendar } from './availability.js';
import { DEFAULT_BEHAVIOURS, parseBehaviours, type SandboxBehaviours } from './behaviours.js';
import { BookingActions } from './booking-actions.js';
import type { BookingContext } from './booking-context.js';
import { BookingReassignment } from './booking-reassignment.js';
import { BookingStore } from './booking-store.js';
import { DEFAULT_CATALOG, parseCatalog, type SandboxCatalog } from './catalog.js';
import { FaultSettings, NO_FAULTS } from './faults.js';
import { writeJson } from './http-exchange.js';
import { RateLimiter } from './rate-limiter.js';
import { SandboxHttpError, errorEnvelope, internalServerError } from './sandbox-error.js';
import { sandboxLevers } from './sandbox-levers.js';
import { V2Api } from './v2-api.js';
import { v2Routes } from './v2-routes.js';
import { WebhookSender } from './webhook-sender.js';
import { WebhookSubscriptions } from './webhook-subscriptions.js';

export interface SandboxOptions {
  /** 0 (the default in-process) picks a free port. */
  port?: number;
  /** 127.0.0.1 by default: /_sandbox has no authentication. */
  host?: string;
  apiKey?: string;
  webhookUrl?: string;
  webhookSecret?: string;
  catalog?: SandboxCatalog;
  /** Version behaviours to start with (see behaviours.ts); /_sandbox/reset returns to these. */
  behaviours?: Partial<SandboxBehaviours>;
  now?: () => Date;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:43123; the API is under `${url}/v2`. */
  url: string;
  apiKey: string;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'cal_sandbox_key';

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const now = options.now ?? (() => new Date());
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const initialCatalog = parseCatalog(options.catalog ?? DEFAULT_CATALOG);
  let catalog = initialCatalog;
  const initialBehaviours = parseBehaviours({ ...DEFAULT_BEHAVIOURS, ...options.behaviours });
  let behaviours = initialBehaviours;
  const faults = new FaultSettings();
  const store = new BookingStore();
  const subscriptions = new WebhookSubscriptions();
  const webhooks = new WebhookSender(options.webhookUrl, options.webhookSecret, faults, now, () => subscriptions.all());
  const rateLimiter = new RateLimiter(now);
  const busy = new BusyCalendar();
  const context: BookingContext = { store, catalog: () => catalog, behaviours: () => behaviours, busy, now, webhooks };
  const actions = new BookingActions(context);
  const hangingSockets = new Set<NodeJS.Timeout>();

  const v2 = new V2Api({
    apiKey,
    routes: v2Routes(context, actions, new BookingReassignment(context), subscriptions),
    catalog: () => catalog,
    faults,
    rateLimiter,
    now,
    holdHangingSocket: (response: ServerResponse, ms: number) => {
      const timer = setTimeout(() => {
        hangingSockets.delete(timer);
        response.socket?.destroy();
      }, ms);
      hangingSockets.add(timer);
    },
  });
  const levers = sandboxLevers({
    context,
    actions,
    faults,
    setCatalog: (next) => (catalog = next),
    setBehaviours: (next) => (behaviours = next),
    reset: () => {
      catalog = initialCatalog;
      behaviours = initialBehaviours;
      busy.blocks = [];
      store.clear();
      subscriptions.clear();
      webhooks.resetLog();
      faults.set(NO_FAULTS);
      rateLimiter.clear();
    },
  });

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/v2/')) return void v2.handle(request, response, url);
    const answerLever = async () => {
      if (!url.pathname.startsWith('/_sandbox/')) throw new SandboxHttpError(404, 'NotFoundException', `Cannot ${request.method} ${url.pathname}`);
      return levers(request, url.pathname);
    };
    answerLever()
      .then((answer) => writeJson(response, answer))
      .catch((error: unknown) => {
        const httpError = error instanceof SandboxHttpError ? error : internalServerError();
        if (!(error instanceof SandboxHttpError)) console.error('calcom-sandbox: unexpected error', error);
        writeJson(response, { status: httpError.status, body: errorEnvelope(request.url ?? url.pathname, httpError, now()) });
      });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    apiKey,
    setWebhookUrl: (url) => webhooks.setUrl(url),
    close: async () => {
      for (const timer of hangingSockets) clearTimeout(timer);
      hangingSockets.clear();
      await webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
