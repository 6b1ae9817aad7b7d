import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ERASED, noteWebhookFactRead, parseCalcomWebhook, personalDataOf } from '#domain';
import { type CustomerKey, type CustomerKeys, type NewEvent, openEventStore, PersonalDataProtection, START, type EventStore } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { openBenchServer } from '../bench-server.js';
import { CpuMeter } from '../cpu-meter.js';
import { currentLoad } from '../machine.js';

/**
 * What sealing customers' personal data costs (issue 15 item 4), in one run so the ratios hold on a busy machine:
 * 1. CPU alone, per event, keys in memory, in batches of 50 (a group commit's): seal and open of an
 *    AppointmentScheduled (four fields), of a CalcomWebhookReceived (the raw body; as it comes, and as the intake
 *    hands it over, read already: noteWebhookFactRead) and of an event without personal data (one property check);
 *    the process's CPU time, which a busy machine disturbs far less than the wall clock;
 * 2. the same events through PostgreSQL: appends and catch-up reads (readAll pages of 1,000) of the bare store and
 *    of the store openEventStore gives (sealing, key table, cache), over the same rows;
 * 3. first use, as webhook intake meets it: facts of new customers (bodies read by the intake) appended by
 *    appendToStreams in batches of 20 (each one a new key), then read back; client and server CPU per event and
 *    statements per batch, bare and sealed.
 * `node <build>/bench/personal-data/personal-data.bench.js [events]`; stdout is one JSON object.
 */
const EVENTS = Number(process.argv[2] ?? 20_000);
const CUSTOMERS = 2_000;
const CPU_BATCH = 50;
const FIRST_USE_BATCH = 20;

/** Keys in memory: the CPU cost of sealing without the key table (the table's own cost is in part 2). */
class KeysInMemory implements CustomerKeys {
  private readonly secret = randomBytes(32);
  private readonly bySubject = new Map<string, CustomerKey>();
  private readonly byId = new Map<string, Buffer>();
  private readonly subjects = new Map<string, string>();
  /** Memoised as PostgresCustomerKeys does: a customer's HMAC once, not per event. */
  subjectOf(email: string): string {
    let subjectId = this.subjects.get(email);
    if (!subjectId) {
      subjectId = createHmac('sha256', this.secret).update(email.trim().toLowerCase()).digest('hex');
      this.subjects.set(email, subjectId);
    }
    return subjectId;
  }
  async keysForWriting(emails: readonly string[]): Promise<Map<string, CustomerKey>> {
    const found = new Map<string, CustomerKey>();
    for (const email of emails) {
      const subjectId = this.subjectOf(email);
      let key = this.bySubject.get(subjectId);
      if (!key) {
        key = { keyId: randomUUID(), subjectId, key: randomBytes(32) };
        this.bySubject.set(subjectId, key);
        this.byId.set(key.keyId, key.key);
      }
      found.set(subjectId, key);
    }
    return found;
  }
  async keysForReading(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    return new Map(keyIds.flatMap((keyId) => (this.byId.has(keyId) ? [[keyId, this.byId.get(keyId)!] as const] : [])));
  }
  async erase(): Promise<never> {
    throw new Error('not measured');
  }
  /** Never trusted: every read opens afresh, so the figures are the cost of opening, not of remembering. */
  keysVersion(): number | null {
    return null;
  }
  async countClearEventsMentioning(): Promise<number> {
    return 0;
  }
  async close(): Promise<void> {}
}

const metadata = { actor: 'bench', source: 'admin' as const, correlationId: randomUUID(), causationId: null };

function scheduled(index: number): NewEvent {
  const customer = index % CUSTOMERS;
  return {
    id: randomUUID(),
    type: 'AppointmentScheduled',
    data: {
      appointmentId: `bench-${index}`,
      serviceId: 'consultation',
      staffId: 'olivia',
      startsAt: '2031-03-01T10:00:00.000Z',
      endsAt: '2031-03-01T10:30:00.000Z',
      customer: { name: `Customer ${customer}`, email: `customer.${customer}@example.org`, timeZone: 'Europe/London', phone: '+44 20 7946 0000' },
      notes: 'Prefers mornings',
    },
    metadata,
  };
}

/** A BOOKING_CREATED delivery as the intake stores it (bench/webhooks/webhook-bodies.ts's shape). */
function webhookFact(index: number, customer: number): NewEvent {
  const startsAt = new Date(Date.UTC(2031, 2, 1) + index * 3_600_000);
  const body = JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: '2031-02-01T09:00:00.000Z',
    payload: {
      type: 'consultation-30',
      title: `Consultation between Olivia Owner and Customer ${customer}`,
      startTime: startsAt.toISOString().replace('.000Z', 'Z'),
      endTime: new Date(startsAt.getTime() + 1_800_000).toISOString().replace('.000Z', 'Z'),
      organizer: { id: 1, name: 'Olivia Owner', email: 'olivia@sandbox.example', username: 'olivia', timeZone: 'Europe/London' },
      attendees: [{ email: `customer${customer}@example.com`, name: `Customer ${customer}`, timeZone: 'Europe/Berlin', language: { locale: 'en' } }],
      eventTypeId: 101,
      uid: `bench${index}`,
      bookingId: index + 1,
      length: 30,
      metadata: {},
      status: 'ACCEPTED',
    },
  });
  return {
    id: randomUUID(),
    type: 'CalcomWebhookReceived',
    data: { receivedAt: '2031-02-01T09:00:00.000Z', contentType: 'application/json', body, triggerEvent: 'BOOKING_CREATED', bookingUid: `bench${index}` },
    metadata: { ...metadata, actor: 'calcom', source: 'calcom' as const },
  };
}

/** The same fact with its body read by the intake before the append (not timed: the intake's own work). */
function readByIntake(fact: NewEvent): NewEvent {
  const data = { ...(fact.data as { body: string; contentType: string | null }) };
  const read = parseCalcomWebhook(data.body, data.contentType);
  if (read.ok) noteWebhookFactRead(data, read.webhook);
  return { ...fact, id: randomUUID(), data };
}

function rescheduled(index: number): NewEvent {
  const data = { appointmentId: `bench-${index}`, startsAt: '2031-03-02T10:00:00.000Z', endsAt: '2031-03-02T10:30:00.000Z' };
  return { id: randomUUID(), type: 'AppointmentRescheduled', data: { ...data, previousStartsAt: data.startsAt, previousEndsAt: data.endsAt }, metadata };
}

const inBatches = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, index) => list.slice(index * size, index * size + size));

/** CPU µs of this process per call of `work`. */
async function cpuMicrosPer(count: number, work: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  await work();
  const used = process.cpuUsage(started);
  return round((used.user + used.system) / count);
}

async function microsPerEvent(events: NewEvent[], protection: PersonalDataProtection) {
  await protection.seal(events.slice(0, 1000)); // warm-up
  const sealed: NewEvent[] = [];
  const sealMicros = await cpuMicrosPer(events.length, async () => {
    for (const batch of inBatches(events, CPU_BATCH)) sealed.push(...(await protection.seal(batch)));
  });
  // Read as a store hands events over: data parsed from the stored JSON (not timed), never the objects seal made.
  const stored = sealed.map((event) => ({ ...event, data: JSON.parse(JSON.stringify(event.data)) as unknown }));
  const openMicros = await cpuMicrosPer(events.length, async () => {
    for (const batch of inBatches(stored, 1000)) await protection.open(batch, (event) => event.id);
  });
  return { sealMicros, openMicros };
}

/** Statements sent to PostgreSQL by this process (every pool and client query goes through Client#query). */
let statements = 0;
const clientQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof clientQuery;

/** New customers' facts appended as group commit does, then read back once (a catch-up). */
async function firstUse(store: EventStore, meter: CpuMeter, events: NewEvent[]) {
  const perEvent = (ms: number | null) => (ms === null ? null : round((ms * 1000) / events.length));
  const appendStatements = statements;
  let stop = meter.start();
  for (const batch of inBatches(events, FIRST_USE_BATCH)) {
    const outcomes = await store.appendToStreams(batch.map((event) => ({ streamName: `calcomwebhook-${event.id}`, events: [event], expectedRevision: 'no_stream' as const })));
    if (!outcomes.every((outcome) => outcome.ok)) throw new Error('an append of the first-use run was refused');
  }
  const appended = stop();
  const statementsPerBatch = round((statements - appendStatements) / Math.ceil(events.length / FIRST_USE_BATCH));
  stop = meter.start();
  for (let after = START; ;) {
    const page = await store.readAll({ after, limit: 1000 });
    if (page.events.length === 0) break;
    after = page.position;
  }
  const read = stop();
  return {
    statementsPerBatch,
    append: { clientMicros: perEvent(appended.clientCpuMs), serverMicros: perEvent(appended.serverCpuMs) },
    catchUp: { clientMicros: perEvent(read.clientCpuMs), serverMicros: perEvent(read.serverCpuMs) },
  };
}

async function throughput(store: EventStore, events: NewEvent[]) {
  let started = performance.now();
  for (let index = 0; index < events.length; index += 100) await store.appendToStream(`appointment-bench-${index}`, events.slice(index, index + 100));
  const appendsPerSecond = events.length / ((performance.now() - started) / 1000);
  started = performance.now();
  let read = 0;
  for (let after = START; ;) {
    const page = await store.readAll({ after, limit: 1000 });
    read += page.events.length;
    if (page.events.length === 0) break;
    after = page.position;
  }
  const readsPerSecond = read / ((performance.now() - started) / 1000);
  return { appendsPerSecond: Math.round(appendsPerSecond), readsPerSecond: Math.round(readsPerSecond) };
}

async function main(): Promise<void> {
  const loadAtStart = currentLoad();
  const protection = new PersonalDataProtection(new KeysInMemory(), { locate: personalDataOf, erased: ERASED });
  const withPersonalData = Array.from({ length: EVENTS }, (_, index) => scheduled(index));
  const without = Array.from({ length: EVENTS }, (_, index) => rescheduled(index));
  const webhooks = Array.from({ length: EVENTS }, (_, index) => webhookFact(index, index % CUSTOMERS));
  const cpu = {
    withPersonalData: await microsPerEvent(withPersonalData, protection),
    webhookFact: await microsPerEvent(webhooks, protection),
    webhookFactReadByIntake: await microsPerEvent(webhooks.map(readByIntake), protection),
    without: await microsPerEvent(without, protection),
  };

  const server = await openBenchServer(process.env.DATABASE_URL || null, (line) => process.stderr.write(`${line}\n`));
  try {
    const mixed = (offset: number) => Array.from({ length: EVENTS }, (_, index) => (index % 4 === 0 ? scheduled(offset + index) : rescheduled(offset + index)));
    const bareUrl = await server.createDatabase('bench_personal_bare');
    const barePool = new pg.Pool({ connectionString: bareUrl, max: 4 });
    const bare = await throughput(await PostgresEventStore.create(barePool), mixed(0));
    await barePool.end();
    const sealedUrl = await server.createDatabase('bench_personal_sealed');
    const opened = await openEventStore({ postgresUrl: sealedUrl, poolSize: 4 });
    const sealed = await throughput(opened.store, mixed(0));
    await opened.close();
    const meter = new CpuMeter(server.postmasterPid);
    const newCustomers = (offset: number) => Array.from({ length: EVENTS / 4 }, (_, index) => readByIntake(webhookFact(index, offset + index)));
    const firstUseBarePool = new pg.Pool({ connectionString: await server.createDatabase('bench_personal_first_bare'), max: 4 });
    const firstUseBare = await firstUse(await PostgresEventStore.create(firstUseBarePool), meter, newCustomers(CUSTOMERS));
    await firstUseBarePool.end();
    const firstUseOpened = await openEventStore({ postgresUrl: await server.createDatabase('bench_personal_first_sealed'), poolSize: 4 });
    const firstUseSealed = await firstUse(firstUseOpened.store, meter, newCustomers(CUSTOMERS));
    await firstUseOpened.close();
    const ratio = (a: number, b: number) => round(a / b);
    const result = {
      events: EVENTS,
      loadAtStart,
      loadAtEnd: currentLoad(),
      cpuMicrosPerEvent: cpu,
      postgres: { mix: '1 in 4 events holds personal data (AppointmentScheduled)', bare, sealed },
      sealedVsBare: { appends: ratio(sealed.appendsPerSecond, bare.appendsPerSecond), reads: ratio(sealed.readsPerSecond, bare.readsPerSecond) },
      firstUse: { events: EVENTS / 4, batch: FIRST_USE_BATCH, bare: firstUseBare, sealed: firstUseSealed },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.close();
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
