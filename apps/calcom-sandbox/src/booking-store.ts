import { randomBytes } from 'node:crypto';
import type { SandboxEventType, SandboxUser } from './catalog.js';

/** Cal.com's Prisma enum; the API lower-cases it, webhooks send it as is. */
export type BookingStatus = 'ACCEPTED' | 'PENDING' | 'CANCELLED' | 'REJECTED';

export interface BookingAttendee {
  name: string;
  email: string;
  timeZone: string;
  language: string;
  phoneNumber?: string;
  absent: boolean;
}

/** A booking row as Cal.com stores it; the API and webhook shapes are derived from it. */
export interface BookingRecord {
  id: number;
  uid: string;
  title: string;
  description: string;
  /** The organizer: for a round-robin type with fixed hosts, the first fixed host. */
  host: SandboxUser;
  /** Round-robin types with fixed hosts: the host picked by round-robin, who joins the organizer (as an attendee). */
  teamMember?: SandboxUser;
  eventType: SandboxEventType;
  status: BookingStatus;
  start: Date;
  end: Date;
  attendees: BookingAttendee[];
  guests: string[];
  metadata: Record<string, string | number | boolean>;
  bookingFieldsResponses: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  cancellationReason?: string;
  cancelledBy?: string;
  /** Cancelled because it was moved: the successor is the booking whose `fromReschedule` is this uid. */
  rescheduled: boolean;
  fromReschedule?: string;
  /** mark-absent's `host` flag. */
  absentHost?: boolean;
  /** Why the host declined a booking that required confirmation. */
  rejectionReason?: string;
  rescheduledBy?: string;
  iCalUID: string;
  iCalSequence: number;
}

export type MutationOp = 'create' | 'reschedule' | 'cancel' | 'reassign' | 'confirm' | 'decline' | 'mark-absent' | 'edit' | 'delete';
export type MutationVia = 'api' | 'customer' | 'host' | 'silent';

export interface MutationEntry {
  at: string;
  op: MutationOp;
  /** For a reschedule, the new booking's uid (as in the BOOKING_RESCHEDULED webhook); the old one is rescheduledFromUid. */
  uid: string;
  via: MutationVia;
  rescheduledFromUid?: string;
}

// Cal.com makes uids with short-uuid: 22 characters of the Flickr base58 alphabet.
const UID_ALPHABET = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';

export function newBookingUid(): string {
  return [...randomBytes(22)].map((byte) => UID_ALPHABET[byte % UID_ALPHABET.length]).join('');
}

/** The in-memory booking table plus the log of every change that took effect. */
export class BookingStore {
  private readonly bookings = new Map<string, BookingRecord>();
  private lastId = 0;
  readonly mutations: MutationEntry[] = [];

  nextId(): number {
    return ++this.lastId;
  }

  add(record: BookingRecord): void {
    this.bookings.set(record.uid, record);
  }

  get(uid: string): BookingRecord | undefined {
    return this.bookings.get(uid);
  }

  delete(uid: string): boolean {
    return this.bookings.delete(uid);
  }

  all(): BookingRecord[] {
    return [...this.bookings.values()].sort((a, b) => a.id - b.id);
  }

  /** The booking a rescheduled one was moved to. */
  successorOf(uid: string): BookingRecord | undefined {
    return this.all().find((record) => record.fromReschedule === uid);
  }

  /** Accepted or pending bookings of a host that overlap [start, end), ignoring the one being moved. */
  overlapping(hostId: number, start: Date, end: Date, ignoreUid?: string): BookingRecord[] {
    return this.all().filter(
      (record) =>
        (record.host.id === hostId || record.teamMember?.id === hostId) &&
        record.uid !== ignoreUid &&
        (record.status === 'ACCEPTED' || record.status === 'PENDING') &&
        record.start < end &&
        start < record.end,
    );
  }

  log(entry: MutationEntry): void {
    this.mutations.push(entry);
  }

  /** Ids keep counting across a reset so that a client's old rows never meet a new booking with the same id. */
  clear(): void {
    this.bookings.clear();
    this.mutations.length = 0;
  }
}
