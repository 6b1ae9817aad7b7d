import type { BookingContext } from './booking-context.js';
import { parseStart } from './booking-input.js';
import type { BookingRecord, BookingStatus } from './booking-store.js';
import { badRequest, notFound } from './sandbox-error.js';

/**
 * Changes made behind the ledger's back, with no webhook: what a lost webhook, a host editing in Cal.com's UI during
 * an outage, or a support fix in Cal.com's database look like from outside. No booking rule applies.
 */
export function editSilently(context: BookingContext, uid: string, body: unknown): BookingRecord {
  const record = context.store.get(uid);
  if (!record) throw notFound(`Booking with uid=${uid} was not found in the database`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be an object');
  const edit = body as Record<string, unknown>;
  const unknownFields = Object.keys(edit).filter((key) => !['start', 'end', 'status', 'hostId', 'eventTypeId'].includes(key));
  if (unknownFields.length) throw badRequest(`unknown field(s): ${unknownFields.join(', ')}`);
  const durationMs = record.end.getTime() - record.start.getTime();
  const start = edit.start === undefined ? record.start : parseStart(edit.start);
  const end = edit.end === undefined ? new Date(start.getTime() + durationMs) : parseStart(edit.end, 'end');
  if (end <= start) throw badRequest('end must be after start');
  const catalog = context.catalog();
  const host = edit.hostId === undefined ? record.host : catalog.users.find((user) => user.id === edit.hostId);
  if (!host) throw badRequest(`hostId ${String(edit.hostId)} is not a catalog user`);
  const eventType = edit.eventTypeId === undefined ? record.eventType : catalog.eventTypes.find((candidate) => candidate.id === edit.eventTypeId);
  if (!eventType) throw badRequest(`eventTypeId ${String(edit.eventTypeId)} is not a catalog event type`);
  const status = edit.status === undefined ? record.status : parseStatus(edit.status);
  const at = context.now();
  Object.assign(record, { start, end, host, eventType, status, updatedAt: at });
  context.store.log({ at: at.toISOString(), op: 'edit', uid, via: 'silent' });
  return record;
}

export function deleteSilently(context: BookingContext, uid: string): void {
  if (!context.store.delete(uid)) throw notFound(`Booking with uid=${uid} was not found in the database`);
  context.store.log({ at: context.now().toISOString(), op: 'delete', uid, via: 'silent' });
}

function parseStatus(value: unknown): BookingStatus {
  const status = typeof value === 'string' ? value.toUpperCase() : '';
  if (!['ACCEPTED', 'PENDING', 'CANCELLED', 'REJECTED'].includes(status)) {
    throw badRequest('status must be one of: accepted, pending, cancelled, rejected');
  }
  return status as BookingStatus;
}
