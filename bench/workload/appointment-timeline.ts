import { appointmentStream, type Customer } from '#domain';
import type { EventMetadata } from '#event-store';
import type { BenchDomainEvent, BenchEvent } from './bench-event.js';
import { SeededRandom } from './seeded-random.js';

/** Share of events that book a new appointment; the rest change an open one (about 2.4 events per appointment). */
const NEW_BOOKING_SHARE = 0.42;
/** How many appointments may still get changes: changes reach back across many projector batches. */
const MAX_OPEN_APPOINTMENTS = 5_000;
/** Probability of 0, 1, 2, 3, 4 later changes to a booking. */
const CHANGE_COUNT_WEIGHTS = [0.3, 0.3, 0.2, 0.12, 0.08];
const CANCELLED_SHARE = 0.25;
const RESCHEDULE_SHARE = 0.6;

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Greta', 'Hiro', 'Ines', 'João', 'Kemal', 'Lena'];
const LAST_NAMES = ['Okafor', 'Müller', 'Rossi', 'Nakamura', 'García', 'Kowalski', 'Andersson', 'Dubois', 'Singh', 'Novak'];
const TIME_ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Europe/Warsaw', 'Asia/Tokyo'];
const NOTES = ['Prefers the window seat', 'First visit, allergic to latex', 'Bring the previous X-ray', 'Wheelchair access needed'];
const REASONS = ['Customer asked by phone', 'Staff member off sick', 'Double booking found at the desk', 'Customer no longer needs it'];
const SERVICE_MINUTES = [30, 45, 60, 30, 90, 60];
const STAFF_COUNT = 25;
const MINUTE = 60_000;
const FIRST_DAY = Date.UTC(2030, 0, 7, 8, 0, 0);

export interface TimelineShape {
  /** Staff members the bookings go to (default 25). */
  staffCount?: number;
  /**
   * Without it, every start falls in one fixed year. With it, the calendar fills as a live salon's does: the n-th
   * booking is made on day n / bookingsPerDay and starts within the BOOKING_HORIZON_DAYS after that, so each past
   * week holds about the same number of appointments however long the ledger grows.
   */
  bookingsPerDay?: number;
}

/** How far ahead a booking (or a reschedule) is made when the timeline has `bookingsPerDay`. */
const BOOKING_HORIZON_DAYS = 60;

interface OpenAppointment {
  appointmentId: string;
  streamName: string;
  startsAt: string;
  endsAt: string;
  staffId: string;
  minutes: number;
  changesLeft: number;
  endsCancelled: boolean;
}

/**
 * Appointment events in a realistic global order: bookings interleaved with reschedules, staff reassignments and
 * cancellations of earlier bookings, each appointment in its own `appointment-<id>` stream. Deterministic per seed.
 */
export class AppointmentTimeline {
  private readonly random: SeededRandom;
  private readonly staffIds: string[];
  private readonly serviceIds: string[];
  private readonly open: OpenAppointment[] = [];
  private bookings = 0;

  constructor(
    seed: number,
    private readonly shape: TimelineShape = {},
  ) {
    this.random = new SeededRandom(seed);
    this.staffIds = Array.from({ length: shape.staffCount ?? STAFF_COUNT }, () => this.random.uuid());
    this.serviceIds = SERVICE_MINUTES.map(() => this.random.uuid());
  }

  /** The next event: a new booking, or the next change to one still open. */
  next(): BenchEvent {
    const book = this.open.length === 0 || (this.open.length < MAX_OPEN_APPOINTMENTS && this.random.next() < NEW_BOOKING_SHARE);
    if (!book) return this.change(this.random.below(this.open.length));
    const { appointment, event } = this.book(this.plannedChanges());
    if (appointment.changesLeft > 0) this.open.push(appointment);
    return event;
  }

  /** One appointment's whole history for a single append: booked, then `length - 1` reschedules and reassignments. */
  history(length: number): BenchEvent[] {
    const { appointment, event } = this.book({ changes: length - 1, endsCancelled: false });
    const events = [event];
    while (events.length < length) events.push(this.changeOf(appointment));
    return events;
  }

  private plannedChanges(): { changes: number; endsCancelled: boolean } {
    let roll = this.random.next();
    let changes = 0;
    while (changes < CHANGE_COUNT_WEIGHTS.length - 1 && roll >= CHANGE_COUNT_WEIGHTS[changes]) roll -= CHANGE_COUNT_WEIGHTS[changes++];
    return { changes, endsCancelled: changes > 0 && this.random.next() < CANCELLED_SHARE };
  }

  private book(plan: { changes: number; endsCancelled: boolean }): { appointment: OpenAppointment; event: BenchEvent } {
    const appointmentId = this.random.uuid();
    this.bookings += 1;
    const service = this.random.below(SERVICE_MINUTES.length);
    const minutes = SERVICE_MINUTES[service];
    const startsAt = this.randomStart();
    const appointment: OpenAppointment = {
      appointmentId,
      streamName: appointmentStream(appointmentId),
      startsAt,
      endsAt: plusMinutes(startsAt, minutes),
      staffId: this.random.pick(this.staffIds),
      minutes,
      changesLeft: plan.changes,
      endsCancelled: plan.endsCancelled,
    };
    const event = this.recorded(appointment, {
      type: 'AppointmentScheduled',
      data: {
        appointmentId,
        serviceId: this.serviceIds[service],
        staffId: appointment.staffId,
        startsAt: appointment.startsAt,
        endsAt: appointment.endsAt,
        customer: this.customer(),
        notes: this.random.next() < 0.3 ? this.random.pick(NOTES) : null,
      },
    });
    return { appointment, event };
  }

  private change(index: number): BenchEvent {
    const appointment = this.open[index];
    const event = this.changeOf(appointment);
    if (appointment.changesLeft === 0) {
      this.open[index] = this.open[this.open.length - 1];
      this.open.pop();
    }
    return event;
  }

  private changeOf(appointment: OpenAppointment): BenchEvent {
    appointment.changesLeft -= 1;
    const { appointmentId } = appointment;
    if (appointment.changesLeft === 0 && appointment.endsCancelled) {
      return this.recorded(appointment, { type: 'AppointmentCancelled', data: { appointmentId, reason: this.random.pick(REASONS) } });
    }
    if (this.random.next() < RESCHEDULE_SHARE) {
      const previous = { startsAt: appointment.startsAt, endsAt: appointment.endsAt };
      appointment.startsAt = this.randomStart();
      appointment.endsAt = plusMinutes(appointment.startsAt, appointment.minutes);
      return this.recorded(appointment, {
        type: 'AppointmentRescheduled',
        data: {
          appointmentId,
          startsAt: appointment.startsAt,
          endsAt: appointment.endsAt,
          previousStartsAt: previous.startsAt,
          previousEndsAt: previous.endsAt,
        },
      });
    }
    const previousStaffId = appointment.staffId;
    appointment.staffId = this.random.pick(this.staffIds.filter((id) => id !== previousStaffId));
    return this.recorded(appointment, { type: 'StaffReassigned', data: { appointmentId, staffId: appointment.staffId, previousStaffId } });
  }

  private recorded(appointment: OpenAppointment, event: BenchDomainEvent): BenchEvent {
    return { ...event, id: this.random.uuid(), streamName: appointment.streamName, metadata: this.metadata(event.type) } as BenchEvent;
  }

  private metadata(type: BenchEvent['type']): EventMetadata {
    return {
      actor: 'admin:front-desk',
      source: 'admin',
      correlationId: this.random.uuid(),
      causationId: null,
      reason: type === 'AppointmentScheduled' ? null : this.random.pick(REASONS),
    };
  }

  private customer(): Customer {
    const first = this.random.pick(FIRST_NAMES);
    const last = this.random.pick(LAST_NAMES);
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.${this.random.below(10_000)}@example.com`.toLowerCase(),
      timeZone: this.random.pick(TIME_ZONES),
      phone: this.random.next() < 0.7 ? `+49 30 ${1_000_000 + this.random.below(9_000_000)}` : null,
    };
  }

  /** The day (from the first) on which the latest booking was made; 0 without `bookingsPerDay`. */
  today(): number {
    return this.shape.bookingsPerDay ? Math.floor(this.bookings / this.shape.bookingsPerDay) : 0;
  }

  /** Midnight UTC of `day` days after the timeline's first day. */
  static dayStart(day: number): Date {
    return new Date(FIRST_DAY - 8 * 60 * MINUTE + day * 1_440 * MINUTE);
  }

  /** A half-hour slot between 08:00 and 18:00 on one of the next 365 days (or the booking horizon's days). */
  private randomStart(): string {
    const day = this.shape.bookingsPerDay ? this.today() + this.random.below(BOOKING_HORIZON_DAYS) : this.random.below(365);
    return new Date(FIRST_DAY + day * 1_440 * MINUTE + this.random.below(20) * 30 * MINUTE).toISOString();
  }
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * MINUTE).toISOString();
}
