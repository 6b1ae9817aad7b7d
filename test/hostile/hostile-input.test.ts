import { createHash } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { signCalcomWebhook } from '#calcom';
import { calcomWebhookStream } from '#domain';
import { openEventStore } from '#event-store';
import { appointmentWhen, factFor, startLedgerWithSandbox, type LedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import { ADMIN_TOKEN } from '../support/ledger-for-tests.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { fuzzSettings, propertyTimeoutMs, runParameters } from './fuzz-settings.js';
import { expectErrorShape, expectSafeAnswer, processWatch } from './hostile-answers.js';
import { expectKeptAsSent, instantOf } from './accepted-effects.js';
import { cursorExamples, formWebhookExamples, invalidExamples, jsonWebhookExamples, keptAsSentExamples, limitExamples, protocolExamples, queryExamples } from './issue-examples.js';
import { edgeCommand, invalidCommand, mutatedCommand, randomJsonCommand, rawBodyCommand } from './command-bodies.js';
import type { Fixtures } from './command-endpoints.js';
import { hostileHeaders, hostilePath, oddTarget, protocolAbuse, wrongMethod } from './paths-methods-headers.js';
import { cursorQuery, hostileQuery, oddLimitQuery } from './query-strings.js';
import { exampleWebhooks, hostileFormWebhook, hostileJsonWebhook, wrongSignature, type WebhookBody } from './hostile-webhooks.js';
import { rawRequest, type RawAnswer, type RawRequest } from './raw-http.js';

/**
 * The hostile suite (issue 9): generated bodies, query strings, path ids, headers and signed webhooks against the
 * running ledger with its in-process Cal.com sandbox. Every answer is a 2xx or a 4xx in the error shape, no prototype
 * gains a key, and afterwards the ledger still serves, applies a command and applies a webhook.
 * Seeds and run counts: fuzz-settings.ts (`npm run fuzz` runs it longer with a fresh seed).
 */

const SECRET = 'whsec_hostile_suite';
const AUTH: [string, string] = ['authorization', `Bearer ${ADMIN_TOKEN}`];
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const ann = { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' };

let database: TestDatabase;
let started: LedgerWithSandbox;
let db: pg.Client;
let fixtures: Fixtures;
let webhookExamples: string[];
/** The body Cal.com (the sandbox) sent about a booking the ledger holds. */
let heldBookingWebhook: string;
let url: string;
/** The appointment of the booking whose real webhook body the hostile webhooks are made from. */
let bookedAppointmentId: string;
const watch = processWatch();

beforeAll(async () => {
  watch.start();
  database = await createTestDatabase('hostile');
  started = await startLedgerWithSandbox(database.url, { calcomWebhookSecret: SECRET });
  url = started.ledger.url;
  // Thousands of accepted commands reach the sandbox: its Cal.com-like 120 calls a minute would make a drift check
  // wait a minute for the reset, which is Cal.com pacing, not an answer to hostile input.
  await started.customer.faults({ rateLimitPerMinute: 1_000_000 });
  db = new pg.Client(database.url);
  await db.connect();
  const appointmentIds = Array.from({ length: 10 }, (_, index) => `fuzz-appointment-${index}`);
  for (const [index, appointmentId] of appointmentIds.entries()) {
    const created = await started.admin.post('/appointments', { appointmentId, serviceId: 'consultation', staffId: 'olivia', startsAt: slot(24 * 20 + index * 2), customer: ann });
    expect(created.status).toBe(201);
  }
  const page = await started.admin.get('/appointments?limit=1');
  expect(page.body.nextCursor).toEqual(expect.any(String));
  // A booking the ledger holds: the body Cal.com sent about it is the template hostile webhooks about it start from.
  const booking = await started.customer.book(101, slot(24 * 40), ann);
  const fact = await factFor(started.admin, booking.uid, 'BOOKING_CREATED', 'applied', 20_000);
  // Read through the event store: the body names a customer, so it is stored sealed (issue 15, crypto-shredding).
  const store = await openEventStore({ postgresUrl: database.url, poolSize: 1 });
  const rows = (await store.store.readStream<{ type: string; data: { body: string } }>(fact.factStream)).filter((event) => event.type === 'CalcomWebhookReceived');
  await store.close();
  expect(rows).toHaveLength(1);
  fixtures = { appointmentIds: appointmentIds.slice(0, 7), cancellableIds: appointmentIds.slice(7), realCursor: page.body.nextCursor };
  expect(fact.appointmentId).toEqual(expect.any(String));
  bookedAppointmentId = fact.appointmentId!;
  webhookExamples = exampleWebhooks();
  heldBookingWebhook = rows[0].data.body;
}, 90_000);

afterAll(async () => {
  await db?.end();
  await started?.ledger.close();
  await database?.drop();
  watch.stop();
});

const describeRequest = (request: RawRequest) =>
  `${request.method} ${request.target.length > 200 ? `${request.target.slice(0, 200)}…(${request.target.length} chars)` : request.target}`;

/** Sends one hostile request and checks what every answer must be; returns the answer for further checks. */
async function send(request: RawRequest): Promise<RawAnswer> {
  const said = describeRequest(request);
  const answer = await rawRequest(url, request);
  watch.expectCalm(said);
  expectSafeAnswer(answer, said);
  return answer;
}

const withBody = (method: string, target: string, body: string | Buffer, headers: [string, string][] = [JSON_TYPE, AUTH]): RawRequest => ({ method, target, headers, body });

describe('command bodies', () => {
  it(
    'any JSON at all to any command: never a 5xx, errors in the one shape',
    async () => {
      await fc.assert(
        fc.asyncProperty(randomJsonCommand(fixtures), async ({ method, target, body }) => {
          await send(withBody(method, target, body));
        }),
        runParameters(80),
      );
    },
    propertyTimeoutMs(80),
  );

  it(
    'a valid body with one hostile field (dates like 2036-02-31, 2^31, 2^53+1, -0, 1e308, arrays, objects): never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutatedCommand(fixtures), async ({ method, target, body }) => {
          await send(withBody(method, target, body));
        }),
        runParameters(120, keptAsSentExamples()),
      );
    },
    propertyTimeoutMs(120),
  );

  it(
    'a value no rule allows (NUL, lone surrogate, impossible date-time, unknown or prototype key, integer out of range) is refused with a 4xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(invalidCommand(fixtures), async ({ method, target, body, why }) => {
          const answer = await send(withBody(method, target, body));
          if (answer.status < 400) throw new Error(`${why} was accepted: ${method} ${target} ${body.slice(0, 300)} → ${answer.status} ${answer.text.slice(0, 200)}`);
        }),
        runParameters(100, invalidExamples(fixtures)),
      );
    },
    propertyTimeoutMs(100),
  );

  it(
    'a value at the edge of the rules (unicode, maximum length, 2^31, the date window) is refused or kept exactly as sent, in the stream and the lists',
    async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(edgeCommand(fixtures), async (request) => {
          const answer = await send(withBody(request.method, request.target, request.body));
          if (answer.status >= 300) return;
          accepted += 1;
          await expectKeptAsSent(started.admin, request, answer);
        }),
        runParameters(200, keptAsSentExamples()),
      );
      // A run where every request was refused has checked nothing about what is kept.
      if (!fuzzSettings.path) expect(accepted).toBeGreaterThan(5);
    },
    propertyTimeoutMs(200),
  );

  it(
    'raw bodies (invalid UTF-8, truncated, short, 5,000-100,000 levels deep, wrong content type or encoding): never a 5xx, always an answer',
    async () => {
      await fc.assert(
        fc.asyncProperty(rawBodyCommand(fixtures), async (request) => {
          await send({
            method: request.method,
            target: request.target,
            headers: [
              AUTH,
              ...(request.contentType === null ? [] : [['content-type', request.contentType] as [string, string]]),
              ...(request.contentEncoding ? [['content-encoding', request.contentEncoding] as [string, string]] : []),
            ],
            body: request.body,
            declaredLength: request.declaredLength,
          });
        }),
        runParameters(80),
      );
    },
    propertyTimeoutMs(80),
  );
});

describe('query strings, cursors, path ids, methods and headers', () => {
  it(
    'hostile query strings on every GET list (odd values, duplicated and bracketed keys, %00): never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileQuery(fixtures), async (target) => {
          await send({ method: 'GET', target, headers: [AUTH] });
        }),
        runParameters(120, queryExamples(fixtures)),
      );
    },
    propertyTimeoutMs(120),
  );

  it(
    'a limit that is not a plain decimal number (0x10, 1e2, " 5", ٥) is refused',
    async () => {
      await fc.assert(
        fc.asyncProperty(oddLimitQuery(), async ({ target, limit }) => {
          const answer = await send({ method: 'GET', target, headers: [AUTH] });
          if (answer.status !== 400) throw new Error(`limit=${JSON.stringify(limit)} was read: GET ${target} → ${answer.status}`);
        }),
        runParameters(40, limitExamples()),
      );
    },
    propertyTimeoutMs(40),
  );

  it(
    'hand-made and damaged cursors: never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(cursorQuery(fixtures), async (target) => {
          await send({ method: 'GET', target, headers: [AUTH] });
        }),
        runParameters(60, cursorExamples()),
      );
    },
    propertyTimeoutMs(60),
  );

  it(
    'hostile path ids (%00, .., very long, unicode, __proto__) on every route with an id: never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostilePath(), async ({ route, id }) => {
          const target = route.path(id);
          await send(route.body ? withBody(route.method, target, JSON.stringify(route.body)) : { method: route.method, target, headers: [AUTH] });
        }),
        runParameters(80),
      );
    },
    propertyTimeoutMs(80),
  );

  it(
    'odd and unknown paths (dot segments, doubled slashes, other cases, encoded slashes): never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT'), oddTarget, async (method, target) => {
          await send(method === 'GET' ? { method, target, headers: [AUTH] } : withBody(method, target, '{}'));
        }),
        runParameters(60),
      );
    },
    propertyTimeoutMs(60),
  );

  it(
    'a method a route does not serve is a 405 in the error shape',
    async () => {
      await fc.assert(
        fc.asyncProperty(wrongMethod(), async ({ method, path }) => {
          const answer = await send(method === 'GET' ? { method, target: path, headers: [AUTH] } : withBody(method, path, '{}'));
          if (answer.status !== 405) throw new Error(`${method} ${path} → ${answer.status}, not 405`);
        }),
        runParameters(40),
      );
    },
    propertyTimeoutMs(40),
  );

  it(
    'garbage If-Match, X-Correlation-Id, X-Actor and Authorization on commands and reads: never a 5xx',
    async () => {
      const targets = fc.constantFrom(
        ...fixtures.appointmentIds.map((id): [string, string, string | undefined] => ['POST', `/appointments/${id}/reschedule`, JSON.stringify({ startsAt: slot(24 * 60) })]),
        ['POST', `/appointments/${fixtures.cancellableIds[0]}/cancel`, '{"reason":"Rain"}'],
        ['PUT', '/staff/fuzz-staff', '{"name":"Fuzz Staff","email":"fuzz@salon.example"}'],
        ['GET', `/appointments/${fixtures.appointmentIds[0]}`, undefined],
        ['GET', '/appointments?limit=2', undefined],
      );
      await fc.assert(
        fc.asyncProperty(targets, hostileHeaders(), async ([method, target, body], headers) => {
          const named = new Set(headers.map(([name]) => name));
          const base: [string, string][] = [...(named.has('authorization') ? [] : [AUTH]), ...(body === undefined ? [] : [JSON_TYPE])];
          await send({ method, target, headers: [...base, ...headers], body });
        }),
        runParameters(80),
      );
    },
    propertyTimeoutMs(80),
  );

  it(
    "requests Node's parser refuses (a 16-100 KB URL, a huge header, NUL in a header, raw control characters, bad body framing) get an answer in the error shape",
    async () => {
      await fc.assert(
        fc.asyncProperty(protocolAbuse(), async ({ what, ...request }) => {
          const answer = await rawRequest(url, { ...request, headers: [AUTH, ...request.headers] });
          if (answer.status >= 500) throw new Error(`${what} → ${answer.status}`);
          if (answer.status < 400) return;
          expectErrorShape(answer, `${what} → ${answer.status} ${answer.text.slice(0, 200)}`);
        }),
        runParameters(200, protocolExamples()),
      );
    },
    propertyTimeoutMs(200),
  );
});

describe('signed Cal.com webhooks', () => {
  const signed = ({ body, contentType }: WebhookBody): RawRequest => ({
    method: 'POST',
    target: '/webhooks/calcom',
    headers: [
      ...(contentType === null ? [] : [['content-type', contentType] as [string, string]]),
      ['x-cal-signature-256', signCalcomWebhook(body, SECRET)],
      ['x-cal-webhook-version', '2021-10-20'],
    ],
    body,
  });

  it(
    'JSON: real bodies with one hostile field, any payload, deep nesting: never a 5xx, no prototype gains a key',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileJsonWebhook(webhookExamples, heldBookingWebhook), async (webhook) => {
          await send(signed(webhook));
        }),
        runParameters(120, jsonWebhookExamples(heldBookingWebhook)),
      );
    },
    propertyTimeoutMs(120),
  );

  it(
    'form-encoded: keys through __proto__ and constructor, deep paths, odd values: never a 5xx, no prototype gains a key',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileFormWebhook(), async (webhook) => {
          await send(signed(webhook));
        }),
        runParameters(100, formWebhookExamples()),
      );
    },
    propertyTimeoutMs(100),
  );
});

describe('unsigned webhooks', () => {
  const storedCopies = async (body: string): Promise<number> => {
    // By the stream its body names (a sealed body cannot be compared in SQL).
    const stream = calcomWebhookStream(createHash('sha256').update(body).digest('hex'));
    const { rows } = await db.query("SELECT count(*)::int AS stored FROM events WHERE type = 'CalcomWebhookReceived' AND stream_name = $1", [stream]);
    return rows[0].stored;
  };

  it(
    'no signature or a wrong one: 401 in the error shape, nothing stored',
    async () => {
      const bodies = fc.oneof(hostileJsonWebhook(webhookExamples, heldBookingWebhook), hostileFormWebhook());
      await fc.assert(
        fc.asyncProperty(
          bodies.chain((webhook) => fc.record({ webhook: fc.constant(webhook), signature: wrongSignature(webhook.body, SECRET) })),
          async ({ webhook, signature }) => {
            // The same bytes may have been stored already, signed, by the properties above.
            const before = await storedCopies(webhook.body);
            const answer = await send({
              method: 'POST',
              target: '/webhooks/calcom',
              headers: [
                ...(webhook.contentType === null ? [] : [['content-type', webhook.contentType] as [string, string]]),
                ...(signature === null ? [] : [['x-cal-signature-256', signature] as [string, string]]),
              ],
              body: webhook.body,
            });
            if (answer.status !== 401 && answer.status !== 413)
              throw new Error(`a webhook signed ${JSON.stringify(signature?.slice(0, 80))} → ${answer.status} ${answer.text.slice(0, 200)}`);
            if ((await storedCopies(webhook.body)) !== before)
              throw new Error(`a webhook signed ${JSON.stringify(signature?.slice(0, 80))} was stored: ${webhook.body.slice(0, 200)}`);
          },
        ),
        runParameters(40),
      );
    },
    propertyTimeoutMs(40),
  );
});

/** Strings no rule allows anywhere, and start or end instants outside 1970–2199 or not real, in an event's data. */
function problemsIn(value: unknown, path = 'data'): string[] {
  if (typeof value === 'string') {
    const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
    const instant = /(startsAt|endsAt)$/.test(path) ? instantOf(value) : 0;
    const year = instant === null ? null : new Date(instant).getUTCFullYear();
    return [
      ...(unstorable ? [`${path} holds NUL or a lone surrogate`] : []),
      ...(instant === null ? [`${path} ${JSON.stringify(value)} is not a real instant`] : []),
      ...(instant !== 0 && year !== null && (year < 1970 || year > 2199) ? [`${path} ${value} is outside 1970–2199`] : []),
    ];
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => problemsIn(item, `${path}.${key}`));
}

describe('after the hostile requests', () => {
  it('the ledger still serves: /health is 200, a valid command and a valid webhook take effect, no prototype gained a key', async () => {
    watch.expectCalm('the whole run');
    await eventually(async () => {
      const health = await rawRequest(url, { method: 'GET', target: '/health' });
      expect({ status: health.status, body: health.text }).toEqual({ status: 200, body: expect.any(String) });
    }, 20_000);

    const created = await started.admin.post('/appointments', { serviceId: 'consultation', staffId: 'olivia', startsAt: slot(24 * 8), customer: ann });
    expect(created.status).toBe(201);
    await eventually(async () => {
      const { body } = await started.admin.get(`/appointments?staffId=olivia&limit=200&from=${encodeURIComponent(slot(24 * 8 - 1))}&to=${encodeURIComponent(slot(24 * 8 + 1))}`);
      expect(body.items.map((item: { appointmentId: string }) => item.appointmentId)).toContain(created.body.appointmentId);
    }, 10_000);

    const booking = await started.customer.book(101, slot(24 * 9), ann);
    const fact = await factFor(started.admin, booking.uid, 'BOOKING_CREATED', 'applied', 20_000);
    expect(fact.appointmentId).toEqual(expect.any(String));
    await appointmentWhen(started.admin, fact.appointmentId!, (appointment) => expect(appointment).toMatchObject({ status: 'scheduled', staffId: 'olivia' }));
    watch.expectCalm('the final checks');
  }, 90_000);

  it('the hostile webhooks about a booking the ledger holds left nothing in its appointment that a command could not have written', async () => {
    const { status, body } = await started.admin.get(`/appointments/${bookedAppointmentId}/history`);
    expect(status).toBe(200);
    const appointmentEvents = body.events.filter((event: { streamName: string }) => event.streamName === `appointment-${bookedAppointmentId}`);
    expect(appointmentEvents.length).toBeGreaterThan(0);
    for (const event of appointmentEvents) expect(problemsIn(event.data)).toEqual([]);
  }, 90_000);
});
