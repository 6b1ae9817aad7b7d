import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AppointmentCommandService, type AppointmentCommandOptions } from '../../src/appointments/appointment-command.service.js';
import { StaffCalendarLock } from '../../src/appointments/staff-calendar.lock.js';
import { type Appointment, appointmentStream, CommandTimeoutError, decide, VersionConflictError } from '#domain';
import { type EventMetadata, type EventStore, openEventStore, type OpenedEventStore } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#test-support/test-database';

/** Real PostgreSQL: the turns of StaffCalendarLock and the retries of AppointmentCommandService, without HTTP. */

let database: TestDatabase;
let opened: OpenedEventStore;
let store: EventStore;
let locks: StaffCalendarLock;
let observer: pg.Client;

const metadata: EventMetadata = { actor: 'test', source: 'admin', correlationId: 'c', causationId: null };
const future = (hour: number) => new Date(Date.UTC(2031, 0, 10, hour)).toISOString();
const now = () => new Date(Date.UTC(2030, 0, 1)).toISOString();

const advisoryLocksHeld = async (): Promise<number> => {
  const { rows } = await observer.query(
    `SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0].held;
};

/** A promise with its resolve, to hold a turn open until the test lets it go. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  return { opened: new Promise<void>((resolve) => (open = resolve)), open };
}

beforeAll(async () => {
  database = await createTestDatabase('turns');
  opened = await openEventStore({ postgresUrl: database.url });
  store = opened.store;
  locks = await StaffCalendarLock.open(database.url, 3);
  observer = new pg.Client(database.url);
  await observer.connect();
});

afterAll(async () => {
  await observer?.end();
  await locks?.close();
  await opened?.close();
  await database?.drop();
});

describe('StaffCalendarLock', () => {
  it('lets a turn on a busy appointment wait until its deadline, then refuses it without leaving a lock behind', async () => {
    const held = gate();
    const entered = gate();
    const holder = locks.withAppointment('a-1', Date.now() + 10_000, async () => {
      entered.open();
      await held.opened;
    });
    await entered.opened;
    const started = Date.now();
    const refused = await locks.withAppointment('a-1', Date.now() + 300, async () => 'ran').catch((error) => error);
    expect(refused).toBeInstanceOf(CommandTimeoutError);
    expect(refused.code).toBe('COMMAND_TIMEOUT');
    expect(refused.details).toMatchObject({ appointmentId: 'a-1', retryAfterSeconds: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3_000);
    held.open();
    await holder;
    // The refused wait was ended by the server (lock_timeout), so no lock is granted later to a pooled connection.
    expect(await advisoryLocksHeld()).toBe(0);
    await expect(locks.withAppointment('a-1', Date.now() + 1_000, async () => 'ran')).resolves.toBe('ran');
  });

  it('queues turns beyond its connections in order and refuses those still waiting at their deadline', async () => {
    const held = gate();
    const holders = Array.from({ length: 3 }, (_, index) => locks.withAppointment(`pool-${index}`, Date.now() + 10_000, () => held.opened));
    const late = await locks.withAppointment('pool-late', Date.now() + 200, async () => 'ran').catch((error) => error);
    expect(late).toBeInstanceOf(CommandTimeoutError);
    expect(late.details.waitingFor).toContain('lock connection');
    held.open();
    await Promise.all(holders);

    // One connection: the turns run one by one, so the order they ran in is the order they were let in.
    const single = await StaffCalendarLock.open(database.url, 1);
    try {
      const order: number[] = [];
      const first = gate();
      const queued = [0, 1, 2, 3, 4].map((index) =>
        single.withAppointment(`queued-${index}`, Date.now() + 10_000, async () => {
          order.push(index);
          if (index === 0) await first.opened;
        }),
      );
      first.open();
      await Promise.all(queued);
      expect(order).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await single.close();
    }
    expect(await advisoryLocksHeld()).toBe(0);
  });

  it('never deadlocks turns that lock the same calendars named in opposite orders', async () => {
    const turns = Array.from({ length: 24 }, (_, index) =>
      locks.withAppointment(`crossed-${index}`, Date.now() + 20_000, async ({ lockCalendars }) => {
        await lockCalendars(index % 2 === 0 ? ['ann', 'bob', 'cy'] : ['cy', 'bob', 'ann', 'bob']);
        return index;
      }),
    );
    expect((await Promise.all(turns)).length).toBe(24);
    expect(await advisoryLocksHeld()).toBe(0);
  });

  it('allows the staff calendars to be locked once per turn only (a second go could break the lock order)', async () => {
    const twice = locks.withAppointment('twice', Date.now() + 1_000, async ({ lockCalendars }) => {
      await lockCalendars(['zed']);
      await lockCalendars(['amy']);
    });
    await expect(twice).rejects.toThrow('once per turn');
    expect(await advisoryLocksHeld()).toBe(0);
  });
});

describe('AppointmentCommandService against a writer outside its turns', () => {
  const commands = () =>
    new AppointmentCommandService(
      store,
      locks,
      async () => undefined,
      async () => undefined,
      1_500,
    );

  async function scheduled(): Promise<{ appointmentId: string }> {
    const appointmentId = randomUUID();
    await commands().execute({
      appointmentId,
      metadata,
      build: async () => ({
        type: 'ScheduleAppointment',
        data: {
          appointmentId,
          serviceId: 'cut',
          staffId: 'sam',
          startsAt: future(9),
          durationMinutes: 30,
          now: now(),
          overlapping: [],
          customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
          notes: null,
        },
      }),
    });
    return { appointmentId };
  }

  /** What a Cal.com webhook does: append a reschedule to the stream, outside the ledger's commands. */
  async function rescheduleFromOutside(appointmentId: string, state: Appointment, hour: number): Promise<void> {
    const events = decide({ type: 'RescheduleAppointment', data: { appointmentId, startsAt: future(hour), durationMinutes: 30, now: now(), overlapping: [] } }, state);
    const revision = (await store.readStream(appointmentStream(appointmentId))).length - 1;
    await store.appendToStream(
      appointmentStream(appointmentId),
      events.map((event) => ({ id: randomUUID(), ...event, metadata })),
      { expectedRevision: revision },
    );
  }

  const cancelOptions = (appointmentId: string, sneakIn: (state: Appointment) => Promise<void>, expectedVersion?: number): AppointmentCommandOptions => ({
    appointmentId,
    expectedVersion,
    metadata,
    build: async (state) => {
      await sneakIn(state);
      return { type: 'CancelAppointment', data: { appointmentId, reason: 'race' } };
    },
  });

  it('retries a lost race on fresh state when no If-Match was sent', async () => {
    const { appointmentId } = await scheduled();
    let outsideWrites = 0;
    const result = await commands().execute(
      cancelOptions(appointmentId, async (state) => {
        if (outsideWrites++ < 3) await rescheduleFromOutside(appointmentId, state, 11 + outsideWrites);
      }),
    );
    expect(result).toEqual({ appointmentId, version: 5 });
    const types = (await store.readStream(appointmentStream(appointmentId))).map((event) => event.type);
    expect(types).toEqual(['AppointmentScheduled', 'AppointmentRescheduled', 'AppointmentRescheduled', 'AppointmentRescheduled', 'AppointmentCancelled']);
  });

  it('answers 412 for a lost race when If-Match was sent', async () => {
    const { appointmentId } = await scheduled();
    const lost = await commands()
      .execute(cancelOptions(appointmentId, (state) => rescheduleFromOutside(appointmentId, state, 15), 1))
      .catch((error) => error);
    expect(lost).toBeInstanceOf(VersionConflictError);
    expect(lost.details).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
  });

  it('decides on a read made before its turn without reading again, and again on fresh state if it was overtaken', async () => {
    const service = commands();
    const { appointmentId } = await scheduled();
    const read = await service.read(appointmentId);
    expect(read.version).toBe(1);
    const decidedOn: number[] = [];
    const cancel = (expectedVersion?: number): AppointmentCommandOptions => ({
      appointmentId,
      read,
      expectedVersion,
      metadata,
      build: async (state) => {
        decidedOn.push(state.status === 'initial' ? 0 : Date.parse(state.startsAt));
        return { type: 'CancelAppointment', data: { appointmentId, reason: 'overtaken' } };
      },
    });
    // Between the read and the turn, someone else moves the appointment.
    await rescheduleFromOutside(appointmentId, read.state, 14);
    const lost = await service.execute(cancel(1)).catch((error) => error);
    expect(lost).toBeInstanceOf(VersionConflictError);
    expect(lost.details).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
    expect(decidedOn).toEqual([Date.parse(future(9))]);
    // Without If-Match the stale read is dropped at once (no pause) and the cancel is decided on the moved appointment.
    decidedOn.length = 0;
    const started = Date.now();
    expect(await service.execute(cancel())).toEqual({ appointmentId, version: 3 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(decidedOn).toEqual([Date.parse(future(9)), Date.parse(future(14))]);
    const types = (await store.readStream(appointmentStream(appointmentId))).map((event) => event.type);
    expect(types).toEqual(['AppointmentScheduled', 'AppointmentRescheduled', 'AppointmentCancelled']);
  });

  it('ends the retries at its deadline with COMMAND_TIMEOUT and nothing of its own appended', async () => {
    const { appointmentId } = await scheduled();
    let hour = 12;
    const started = Date.now();
    const endless = await commands()
      .execute(cancelOptions(appointmentId, (state) => rescheduleFromOutside(appointmentId, state, (hour = hour === 12 ? 13 : 12))))
      .catch((error) => error);
    expect(endless).toBeInstanceOf(CommandTimeoutError);
    expect(endless.details.waitingFor).toBe('other writers of its stream');
    expect(Date.now() - started).toBeLessThan(5_000);
    const types = (await store.readStream(appointmentStream(appointmentId))).map((event) => event.type);
    expect(types).not.toContain('AppointmentCancelled');
  });
});

describe('AppointmentCommandService and the read models', () => {
  it('answers once the read models show its events, and gives its locks back without waiting for them', async () => {
    const readModel = gate();
    const waitedFor: string[] = [];
    const commands = new AppointmentCommandService(
      store,
      locks,
      async (position) => {
        waitedFor.push(position);
        await readModel.opened;
      },
      async () => undefined,
      5_000,
    );
    const appointmentId = randomUUID();
    let answered = false;
    const answer = commands
      .execute({
        appointmentId,
        metadata,
        calendarsOf: () => ['read-model-sam'],
        build: async () => ({
          type: 'ScheduleAppointment',
          data: {
            appointmentId,
            serviceId: 'cut',
            staffId: 'read-model-sam',
            startsAt: future(9),
            durationMinutes: 30,
            now: now(),
            overlapping: [],
            customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'UTC', phone: null },
            notes: null,
          },
        }),
      })
      .then((result) => ((answered = true), result));
    // Its events are appended and its locks given back while the read models have not caught up yet.
    await waitFor(async () => waitedFor.length === 1 && (await advisoryLocksHeld()) === 0);
    expect(waitedFor).toEqual([(await store.readStream(appointmentStream(appointmentId)))[0].position]);
    expect(answered).toBe(false);
    readModel.open();
    await expect(answer).resolves.toEqual({ appointmentId, version: 1 });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
