import { randomUUID } from 'node:crypto';
import {
  type Appointment,
  type AppointmentCommand,
  appointmentDecider,
  appointmentStream,
  CommandTimeoutError,
  decide,
  expectedRevisionAt,
  VersionConflictError,
  versionAfter,
  versionAtRevision,
} from '#domain';
import { aggregateStream, type EventMetadata, type EventStore, type Position, WrongExpectedRevisionError } from '#event-store';
import type { ReadModelsCaughtUp } from '../read-your-writes.js';
import type { AppointmentLocks, StaffCalendarLock } from './staff-calendar.lock.js';

export interface CommandResult {
  appointmentId: string;
  version: number;
}

/** An appointment as folded from its stream, and its version (the stream's event count). */
export interface AppointmentRead {
  state: Appointment;
  version: number;
}

export interface AppointmentCommandOptions {
  appointmentId: string;
  /**
   * The appointment as the handler read it before its turn (for Cal.com's slot check): decided on without reading the
   * stream again. The append's expected revision is that read's, so a change appended since refuses the append
   * (412 with If-Match; without it the decision is made again at once on the stream as it then is).
   */
  read?: AppointmentRead;
  /** From `If-Match`: the version the caller last saw. A different current version is a 412. */
  expectedVersion?: number;
  metadata: EventMetadata;
  /** Builds the command from the current state (the catalog and calendar facts it needs are looked up here). */
  build(state: Appointment): Promise<AppointmentCommand>;
  /** Staff whose calendars this change may fill: locked, and the read models caught up, before `build` runs. */
  calendarsOf?(state: Appointment): string[];
}

/** Whether a staff member is free of absences over a time (POST /staff/{id}/absences). */
export interface PresenceCheck {
  /** Reads the staff member's absences as they stand; the check it returns throws STAFF_ABSENT for a time inside one. */
  presenceOf(staffId: string): Promise<Present>;
}

export type Present = (startsAt: string, endsAt: string) => void;

interface Decided {
  result: CommandResult;
  /** Resolves once the read models show the appended events (at once when the command changed nothing). */
  readModelShowsIt: Promise<void>;
}

const RETRY_INITIAL_MS = 10;
const RETRY_MAX_MS = 250;

/**
 * The one way an appointment changes. Each change takes its turn on the appointment (see StaffCalendarLock), so
 * the ledger's own commands never race for a stream: read, fold, decide and append see the latest state (a state
 * read before the turn, for Cal.com's slot check, is decided on only if the append finds nothing appended since).
 * Only a writer outside the ledger's commands (a Cal.com webhook, a conflict resolution, a drift heal) can still move
 * the stream under us; without If-Match the decision is then retried on fresh state, with jittered backoff, until the
 * command's deadline. Every wait ends by that deadline, and past it the answer is a 503 with nothing changed.
 */
export class AppointmentCommandService {
  constructor(
    private readonly store: EventStore,
    private readonly locks: StaffCalendarLock,
    private readonly waitForReadModel: (position: Position) => Promise<void>,
    private readonly readModelsCaughtUp: ReadModelsCaughtUp,
    private readonly timeoutMs: number,
    private readonly presence: PresenceCheck | null = null,
  ) {}

  /** The appointment as it stands, read outside any turn (see `AppointmentCommandOptions.read`). */
  async read(appointmentId: string): Promise<AppointmentRead> {
    const { state, eventCount } = await aggregateStream(this.store, appointmentStream(appointmentId), appointmentDecider);
    return { state, version: eventCount };
  }

  async execute(options: AppointmentCommandOptions): Promise<CommandResult> {
    const started = Date.now();
    const deadline = started + this.timeoutMs;
    let read = options.read;
    for (let attempt = 1; ;) {
      let decided: Decided;
      try {
        decided = await this.locks.withAppointment(options.appointmentId, deadline, (locks) => this.decideInTurn(options, read, locks, deadline));
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (options.expectedVersion !== undefined) throw versionConflict(error, options);
        if (read) {
          // The read before the turn was overtaken: no other writer collided in the turn, so no pause.
          read = undefined;
          continue;
        }
        const pause = jittered(attempt++);
        if (Date.now() + pause >= deadline) {
          throw new CommandTimeoutError({ appointmentId: options.appointmentId, waitingFor: 'other writers of its stream', waitedMs: Date.now() - started });
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
        continue;
      }
      // The wait began with the append, so it ran while the locks were released; the next holder waits for the read
      // models itself, up to the store's head.
      await decided.readModelShowsIt;
      return decided.result;
    }
  }

  private async decideInTurn(options: AppointmentCommandOptions, before: AppointmentRead | undefined, locks: AppointmentLocks, deadline: number): Promise<Decided> {
    const { appointmentId, expectedVersion, metadata, build, calendarsOf } = options;
    const streamName = appointmentStream(appointmentId);
    const { state, version } = before ?? (await this.read(appointmentId));
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new VersionConflictError(appointmentId, expectedVersion, version);
    }
    const staffIds = state.status === 'cancelled' ? [] : (calendarsOf?.(state) ?? []).filter(Boolean);
    let presence: Map<string, Promise<Present>> | null = null;
    if (staffIds.length > 0) {
      await locks.lockCalendars(staffIds);
      // Read under the calendar locks while the read models catch up, not after the decision: a round trip less in the turn.
      presence = this.readPresence(staffIds);
      await this.readModelsCaughtUp(deadline - Date.now(), staffIds);
    }
    const events = decide(await build(state), state);
    if (events.length === 0) return { result: { appointmentId, version }, readModelShowsIt: Promise.resolve() };
    if (presence) await this.assertNotInAbsence(events, state, presence);
    const appended = await this.store.appendToStream(
      streamName,
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
      { expectedRevision: expectedRevisionAt(version) },
    );
    // Started now, awaited after the turn: the read models catch up while the locks are given back (a round trip).
    const readModelShowsIt = this.waitForReadModel(appended.position);
    // Rejections are the caller's, once the turn is over; until then this one must not count as unhandled.
    readModelShowsIt.catch(() => undefined);
    return { result: { appointmentId, version: versionAfter(appended.nextExpectedRevision) }, readModelShowsIt };
  }

  /** Each locked calendar's absences, being read; a failed read is the decision's to report, if it gets that far. */
  private readPresence(staffIds: readonly string[]): Map<string, Promise<Present>> | null {
    if (!this.presence) return null;
    const reading = new Map(staffIds.map((staffId) => [staffId, this.presence!.presenceOf(staffId)]));
    for (const read of reading.values()) read.catch(() => undefined);
    return reading;
  }

  /** Nothing lands inside a recorded absence: checked under the calendar lock of the staff member it lands with. */
  private async assertNotInAbsence(events: ReturnType<typeof decide>, before: Appointment, presence: Map<string, Promise<Present>>): Promise<void> {
    const after = events.reduce((state, event) => appointmentDecider.evolve(state, event), before);
    if (after.status === 'initial' || after.status === 'cancelled') return;
    const present = await (presence.get(after.staffId) ?? this.presence!.presenceOf(after.staffId));
    present(after.startsAt, after.endsAt);
  }
}

function versionConflict(error: WrongExpectedRevisionError, { appointmentId, expectedVersion }: AppointmentCommandOptions): VersionConflictError {
  const actual = versionAtRevision(error.actual);
  return new VersionConflictError(appointmentId, expectedVersion ?? actual - 1, actual);
}

/** Exponential backoff, half of it random, so writers that collided do not collide again in step. */
function jittered(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (attempt - 1));
  return Math.ceil(ceiling / 2 + Math.random() * (ceiling / 2));
}
