import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsOptional, ValidateIf, ValidateNested } from 'class-validator';
import type { DeskCommand } from '#domain';
import type { EventMetadata } from '#event-store';
import { IsEmailAddress, IsLine, IsNotes, IsReason, IsSafeText, TEXT_LIMITS } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';

/**
 * The desk's actions: confirm, decline, no-show, check-in, check-out and contact corrections. None of them fills a
 * staff calendar, so none takes a calendar lock or asks Cal.com's slots; the Cal.com sync carries confirm, decline
 * and no-show to Cal.com afterwards, the rest stays in the ledger and the answer says so.
 */

/** Confirm, check-in and complete take no fields; any field sent is refused. */
export class NoFieldsDto {}

export class DeclineAppointmentDto {
  @IsReason({ required: false }) @IsOptional() reason?: string;
}

export class MarkNoShowDto {
  @ApiProperty({ description: 'true: the customer did not come; false: take the no-show back' })
  @IsDefined()
  @IsBoolean()
  absent: boolean;
}

export class ContactCustomerDto {
  // Given means checked, null included: a name or an e-mail cannot be cleared, only `phone` can.
  @ApiPropertyOptional({ type: String, maxLength: TEXT_LIMITS.name, example: 'Ada Lovelace' })
  @ValidateIf((dto: ContactCustomerDto) => dto.name !== undefined)
  @IsSafeText({ maxLength: TEXT_LIMITS.name, minLength: 1 })
  name?: string;

  @IsEmailAddress() @ValidateIf((dto: ContactCustomerDto) => dto.email !== undefined) email?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: TEXT_LIMITS.phone, description: 'null clears it' })
  @IsLine(TEXT_LIMITS.phone, { required: false })
  @IsOptional()
  phone?: string | null;
}

export class ChangeContactDto {
  @ApiPropertyOptional({ type: ContactCustomerDto }) @IsOptional() @IsObject() @ValidateNested() @Type(() => ContactCustomerDto) customer?: ContactCustomerDto;
  @IsNotes() @IsOptional() notes?: string | null;
}

/** `calcom.notSynced`: what this change holds that Cal.com's booking will not. */
export type DeskActionResult = CommandResult & { calcom?: { notSynced: string[] } };

export class DeskAction extends Command<DeskActionResult> {
  constructor(
    readonly appointmentId: string,
    /** The domain command, given the time of the decision. */
    readonly command: (now: string) => DeskCommand,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
    /** Fields Cal.com will not know, named in the answer (ledger-only statuses and contact details). */
    readonly notSynced: string[] = [],
  ) {
    super();
  }
}

export const deskCommands = {
  confirm: (appointmentId: string) => () => ({ type: 'ConfirmAppointment', data: { appointmentId } }) as const,
  decline: (appointmentId: string, body: DeclineAppointmentDto) => () => ({ type: 'DeclineAppointment', data: { appointmentId, reason: body.reason ?? null } }) as const,
  noShow: (appointmentId: string, body: MarkNoShowDto) => (now: string) => ({ type: 'MarkNoShow', data: { appointmentId, absent: body.absent, now } }) as const,
  checkIn: (appointmentId: string) => (now: string) => ({ type: 'CheckIn', data: { appointmentId, now } }) as const,
  complete: (appointmentId: string) => (now: string) => ({ type: 'CompleteAppointment', data: { appointmentId, now } }) as const,
  contact: (appointmentId: string, body: ChangeContactDto) => () =>
    ({
      type: 'ChangeContactDetails',
      data: {
        appointmentId,
        customer: {
          ...(body.customer?.name !== undefined ? { name: body.customer.name } : {}),
          ...(body.customer?.email !== undefined ? { email: body.customer.email } : {}),
          ...(body.customer?.phone !== undefined ? { phone: body.customer.phone || null } : {}),
        },
        ...(body.notes !== undefined ? { notes: body.notes || null } : {}),
      },
    }) as const,
};

/** The contact fields a request names: Cal.com keeps the booking's own, whatever the ledger is told. */
export function contactFieldsOf(body: ChangeContactDto): string[] {
  const customer = body.customer ?? {};
  return [
    ...(['name', 'email', 'phone'] as const).filter((field) => customer[field] !== undefined).map((field) => `customer.${field}`),
    ...(body.notes !== undefined ? ['notes'] : []),
  ];
}

@CommandHandler(DeskAction)
export class DeskActionHandler implements ICommandHandler<DeskAction> {
  constructor(
    private readonly commands: AppointmentCommandService,
    private readonly facts: AppointmentFacts,
  ) {}

  async execute({ appointmentId, command, expectedVersion, metadata, notSynced }: DeskAction): Promise<DeskActionResult> {
    const result = await this.commands.execute({
      appointmentId,
      expectedVersion,
      metadata,
      build: async () => command(this.facts.now().toISOString()),
    });
    return notSynced.length > 0 ? { ...result, calcom: { notSynced } } : result;
  }
}
