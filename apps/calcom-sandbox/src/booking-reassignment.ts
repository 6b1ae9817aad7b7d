import { bookingTitle, currentEventType, isFree, type BookingContext } from './booking-context.js';
import type { BookingRecord, MutationVia } from './booking-store.js';
import { eligibleHosts, fixedHostIds, type SandboxUser } from './catalog.js';
import { badRequest, internalServerError, notFound } from './sandbox-error.js';

export interface ReassignOutput {
  bookingUid: string;
  reassignedTo: { id: number; name: string; email: string };
}

/**
 * Round-robin reassignment (roundRobinReassignment.ts / roundRobinManualReassignment.ts): the booking keeps its id and
 * uid, gets a new host and title, and Cal.com sends no webhook for it. A non-round-robin booking has no other host, so
 * Cal.com answers with the same 400s. With fixed hosts only the round-robin member moves: the organizer stays the
 * fixed host (roundRobinReassignment.ts keeps fixed users), and naming a fixed host as the target throws an error
 * API v2 does not map, a 500.
 */
export class BookingReassignment {
  constructor(private readonly context: BookingContext) {}

  /** Another round-robin host who is free at the booking's time. */
  toAnyFreeHost(uid: string, via: MutationVia): ReassignOutput {
    const record = this.reassignable(uid);
    const eventType = currentEventType(this.context, record);
    const fixed = fixedHostIds(eventType);
    const current = (record.teamMember ?? record.host).id;
    const candidates = eventType.schedulingType === 'ROUND_ROBIN' ? eligibleHosts(this.context.catalog(), eventType) : [];
    const free = candidates.filter((host) => host.id !== current && !fixed.has(host.id) && isFree(this.context, host, record.start, record.end, record.uid));
    if (free.length === 0) throw badRequest("Can't reassign the booking because no other host is available at that time.");
    return this.assign(record, free[0], via);
  }

  /** A named round-robin host; like Cal.com, without checking that host's calendar. */
  toUser(uid: string, userId: number, via: MutationVia): ReassignOutput {
    const record = this.reassignable(uid);
    const user = this.context.catalog().users.find((candidate) => candidate.id === userId);
    if (!user) throw notFound(`User with id=${userId} was not found in the database`);
    const eventType = currentEventType(this.context, record);
    const isRoundRobinHost = eventType.schedulingType === 'ROUND_ROBIN' && (eventType.hosts ?? []).includes(userId);
    if (!isRoundRobinHost) {
      throw badRequest(
        `User with id=${userId} is not a valid Round Robin host - the user to which you reassign this booking must be one of the booking hosts. Fetch the booking using following endpoint and select id of one of the hosts: https://cal.com/docs/api-reference/v2/bookings/get-a-booking`,
      );
    }
    if (fixedHostIds(eventType).has(userId)) throw internalServerError();
    if (user.id === (record.teamMember ?? record.host).id) return output(record);
    return this.assign(record, user, via);
  }

  private reassignable(uid: string): BookingRecord {
    const record = this.context.store.get(uid);
    if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
    // The sandbox's own rule: Cal.com's code does not say what reassigning a cancelled booking does.
    if (record.status === 'CANCELLED' || record.status === 'REJECTED') {
      throw badRequest(`Can't reassign booking with uid=${uid} because it is ${record.status.toLowerCase()}.`);
    }
    return record;
  }

  private assign(record: BookingRecord, host: SandboxUser, via: MutationVia): ReassignOutput {
    const at = this.context.now();
    if (fixedHostIds(currentEventType(this.context, record)).size > 0) record.teamMember = host;
    else record.host = host;
    record.title = bookingTitle(currentEventType(this.context, record), record.host, record.attendees[0]?.name ?? 'Nameless');
    record.updatedAt = at;
    this.context.store.log({ at: at.toISOString(), op: 'reassign', uid: record.uid, via });
    return output(record);
  }
}

function output(record: BookingRecord): ReassignOutput {
  const assigned = record.teamMember ?? record.host;
  return { bookingUid: record.uid, reassignedTo: { id: assigned.id, name: assigned.name, email: assigned.email } };
}
