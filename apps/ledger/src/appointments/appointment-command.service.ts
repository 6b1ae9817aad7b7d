import { randomUUID } from 'node:crypto';
import {
  type Appointment,
  type AppointmentCommand,
  type AppointmentEvent,
  appointmentStream,
  decide,
  evolve,
  initialState,
  VersionConflictError,
} from '../../../../libs/domain/src/index.js';
import {
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../../../../libs/event-store/src/event-store.port.js';
import type { StaffCalendarLock } from './staff-calendar.lock.js';

export interface CommandResult {
  appointmentId: string;
  version: number;
}

export interface AppointmentCommandOptions {
  appointmentId: string;
  /** From `If-Match`: the version the caller last saw. A different current version is a 412. */
  expectedVersion?: number;
  metadata: EventMetadata;
  /** Builds the command from the current state (the catalog and calendar facts it needs are looked up here). */
  build(state: Appointment): Promise<AppointmentCommand>;
  /** Staff whose calendars this change may fill: locked from the availability check until the read model shows it. */
  calendarsOf?(state: Appointment): string[];
}

const MAX_ATTEMPTS = 5;

/**
 * The one way an appointment changes: read the stream, fold, decide, append at the expected revision.
 * A concurrent writer makes the append fail; without If-Match the whole decision is retried on fresh state.
 */
export class AppointmentCommandService {
  constructor(
    private readonly store: EventStore,
    private readonly lock: StaffCalendarLock,
    private readonly waitForReadModel: (position: string) => Promise<void>,
  ) {}

  async execute(options: AppointmentCommandOptions): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(options);
      } catch (error) {
        const retry = error instanceof WrongExpectedRevisionError && options.expectedVersion === undefined && attempt < MAX_ATTEMPTS;
        if (!retry) throw this.translate(error, options);
      }
    }
  }

  private async attempt({ appointmentId, expectedVersion, metadata, build, calendarsOf }: AppointmentCommandOptions): Promise<CommandResult> {
    const streamName = appointmentStream(appointmentId);
    const history = (await this.store.readStream(streamName)) as RecordedEvent<AppointmentEvent['type'], AppointmentEvent['data']>[];
    const version = history.length;
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw new VersionConflictError(appointmentId, expectedVersion, version);
    }
    const state = history.reduce((current, event) => evolve(current, event as AppointmentEvent), initialState());
    const staffIds = state.status === 'cancelled' ? [] : (calendarsOf?.(state) ?? []);
    // A change of staff after our read makes the append below fail on its expected revision, and we start over.
    return this.lock.withLock(staffIds, async () => {
      const events = decide(await build(state), state);
      if (events.length === 0) return { appointmentId, version };
      return this.append(streamName, events, version, metadata, appointmentId);
    });
  }

  private async append(streamName: string, events: AppointmentEvent[], version: number, metadata: EventMetadata, appointmentId: string): Promise<CommandResult> {
    const result = await this.store.appendToStream(
      streamName,
      events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata })),
      { expectedRevision: version === 0 ? 'no_stream' : version - 1 },
    );
    await this.waitForReadModel(result.position);
    return { appointmentId, version: result.nextExpectedRevision + 1 };
  }

  private translate(error: unknown, { appointmentId, expectedVersion }: AppointmentCommandOptions): unknown {
    if (!(error instanceof WrongExpectedRevisionError)) return error;
    const actual = error.actual === 'no_stream' ? 0 : error.actual + 1;
    return new VersionConflictError(appointmentId, expectedVersion ?? actual - 1, actual);
  }
}
