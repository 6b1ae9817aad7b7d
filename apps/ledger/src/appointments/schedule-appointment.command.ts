import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, ValidateNested } from 'class-validator';
import type { EventMetadata } from '#event-store';
import { IsDateTimeWithOffset, IsEmailAddress, IsEntityId, IsLine, IsNotes, IsTimeZoneName, TEXT_LIMITS } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';
import { CalcomSlotCheck, withSlotCheck } from './calcom-slot-check.js';

export class CustomerDto {
  @IsLine(TEXT_LIMITS.name, { example: 'Ada Lovelace' }) name: string;
  @IsEmailAddress() email: string;
  @IsTimeZoneName() timeZone: string;
  @IsLine(TEXT_LIMITS.phone, { required: false, example: '+44 20 7946 0000' }) @IsOptional() phone?: string;
}

export class ScheduleAppointmentDto {
  @IsEntityId({ description: 'Chosen by the client to make retries safe; generated when absent', optional: true })
  @IsOptional()
  appointmentId?: string;

  @IsEntityId({ description: 'Service from the catalog' }) serviceId: string;
  @IsEntityId({ description: 'Staff member from the catalog' }) staffId: string;

  @ApiProperty({ example: '2030-01-02T10:00:00+01:00', description: 'ISO 8601 with offset; must be in the future' })
  @IsDateTimeWithOffset()
  startsAt: string;

  @ApiProperty({ type: CustomerDto }) @IsObject() @ValidateNested() @Type(() => CustomerDto) customer: CustomerDto;

  @IsNotes() @IsOptional() notes?: string;

  @ApiProperty({ required: false, description: "Accept the time without asking Cal.com's slots; recorded in the history" })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ScheduleAppointment extends Command<CommandResult> {
  constructor(
    readonly body: ScheduleAppointmentDto,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(ScheduleAppointment)
export class ScheduleAppointmentHandler implements ICommandHandler<ScheduleAppointment> {
  constructor(
    private readonly commands: AppointmentCommandService,
    private readonly facts: AppointmentFacts,
    private readonly slots: CalcomSlotCheck,
  ) {}

  async execute({ body, metadata }: ScheduleAppointment): Promise<CommandResult> {
    const appointmentId = body.appointmentId ?? randomUUID();
    const catalog = this.facts.forOneCommand();
    const [service, , read] = await Promise.all([catalog.service(body.serviceId), catalog.staff(body.staffId), this.commands.read(appointmentId)]);
    const slotCheck = await this.slots.checkNew(read.state, { staffId: body.staffId, serviceId: body.serviceId, startsAt: body.startsAt, force: body.force }, catalog);
    const result = await this.commands.execute({
      appointmentId,
      read,
      metadata: withSlotCheck(metadata, slotCheck),
      calendarsOf: () => [body.staffId],
      build: async () => ({
        type: 'ScheduleAppointment',
        data: {
          appointmentId,
          serviceId: body.serviceId,
          staffId: body.staffId,
          startsAt: body.startsAt,
          durationMinutes: service.durationMinutes,
          customer: { name: body.customer.name, email: body.customer.email, timeZone: body.customer.timeZone, phone: body.customer.phone ?? null },
          notes: body.notes ?? null,
          now: this.facts.now().toISOString(),
          overlapping: await this.facts.overlapping(body.staffId, body.startsAt, service.durationMinutes, appointmentId),
        },
      }),
    });
    this.slots.forget(slotCheck?.eventTypeId);
    return result;
  }
}
