import type { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '#event-store';
import type { CommandResult } from '../appointments/appointment-command.service.js';
import { CancelAppointment, CancelAppointmentDto } from '../appointments/cancel-appointment.command.js';
import { ChangeService, ChangeServiceDto } from '../appointments/change-service.command.js';
import { ChangeContactDto, contactFieldsOf, DeclineAppointmentDto, DeskAction, deskCommands, MarkNoShowDto, NoFieldsDto } from '../appointments/desk-action.command.js';
import { ReassignStaff, ReassignStaffDto } from '../appointments/reassign-staff.command.js';
import { RescheduleAppointment, RescheduleAppointmentDto } from '../appointments/reschedule-appointment.command.js';

/** A single-appointment command as its endpoint builds it: `POST /appointments/{id}/<name>` with this body. */
export interface BulkCommandKind {
  /** The endpoint's own body DTO: a bulk item's `body` is validated exactly as that endpoint's body is. */
  readonly dto: new () => object;
  readonly build: (
    appointmentId: string,
    body: object,
    expectedVersion: number | undefined,
    metadata: EventMetadata,
  ) => Command<CommandResult & { calcom?: { notSynced: string[] } }>;
}

type AppointmentCommandClass<Body> = new (appointmentId: string, body: Body, expectedVersion: number | undefined, metadata: EventMetadata) => Command<CommandResult>;

const kind = <Body extends object>(dto: new () => Body, command: AppointmentCommandClass<Body>): BulkCommandKind => ({
  dto,
  build: (appointmentId, body, expectedVersion, metadata) => new command(appointmentId, body as Body, expectedVersion, metadata),
});

/** A desk action (desk-action.command.ts): its domain command from the body, and what Cal.com will not be told. */
const desk = <Body extends object>(
  dto: new () => Body,
  command: (appointmentId: string, body: Body) => DeskAction['command'],
  notSynced: (body: Body) => string[] = () => [],
): BulkCommandKind => ({
  dto,
  build: (appointmentId, body, expectedVersion, metadata) =>
    new DeskAction(appointmentId, command(appointmentId, body as Body), expectedVersion, metadata, notSynced(body as Body)),
});

/**
 * The commands a bulk request may name, by their endpoint's last path segment: one line each. A Map, so a name like
 * `__proto__` or `toString` is simply not in it.
 */
export const BULK_COMMANDS: ReadonlyMap<string, BulkCommandKind> = new Map([
  ['cancel', kind(CancelAppointmentDto, CancelAppointment)],
  ['reschedule', kind(RescheduleAppointmentDto, RescheduleAppointment)],
  ['reassign', kind(ReassignStaffDto, ReassignStaff)],
  ['change-service', kind(ChangeServiceDto, ChangeService)],
  ['confirm', desk(NoFieldsDto, deskCommands.confirm)],
  ['decline', desk(DeclineAppointmentDto, deskCommands.decline)],
  ['no-show', desk(MarkNoShowDto, deskCommands.noShow)],
  ['check-in', desk(NoFieldsDto, deskCommands.checkIn, () => ['status'])],
  ['complete', desk(NoFieldsDto, deskCommands.complete, () => ['status'])],
  ['contact', desk(ChangeContactDto, deskCommands.contact, contactFieldsOf)],
]);
