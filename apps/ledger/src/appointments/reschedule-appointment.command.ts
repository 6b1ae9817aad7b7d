import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Appointment } from '#domain';
import type { EventMetadata } from '#event-store';
import { IsDateTimeWithOffset, IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';
import { CalcomSlotCheck, withSlotCheck } from './calcom-slot-check.js';

export class RescheduleAppointmentDto {
  @ApiProperty({ example: '2030-01-03T15:00:00+01:00', description: 'ISO 8601 with offset; must be in the future' })
  @IsDateTimeWithOffset()
  startsAt: string;

  @IsReason({ required: false }) @IsOptional() reason?: string;

  @ApiProperty({ required: false, description: "Accept the time without asking Cal.com's slots; recorded in the history" })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class RescheduleAppointment extends Command<CommandResult> {
  constructor(
    readonly appointmentId: string,
    readonly body: RescheduleAppointmentDto,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(RescheduleAppointment)
export class RescheduleAppointmentHandler implements ICommandHandler<RescheduleAppointment> {
  constructor(
    private readonly commands: AppointmentCommandService,
    private readonly facts: AppointmentFacts,
    private readonly slots: CalcomSlotCheck,
  ) {}

  async execute({ appointmentId, body, expectedVersion, metadata }: RescheduleAppointment): Promise<CommandResult> {
    const catalog = this.facts.forOneCommand();
    const read = await this.commands.read(appointmentId);
    const slotCheck = await this.slots.checkChange(
      appointmentId,
      read.state,
      body.force,
      (current) => ({ staffId: current.staffId, serviceId: current.serviceId, startsAt: body.startsAt }),
      catalog,
    );
    const result = await this.commands.execute({
      appointmentId,
      read,
      expectedVersion,
      metadata: withSlotCheck(metadata, slotCheck),
      calendarsOf: (state) => [staffOf(state)],
      build: async (state) => {
        const durationMinutes = state.status === 'initial' ? 0 : (await catalog.service(state.serviceId)).durationMinutes;
        return {
          type: 'RescheduleAppointment',
          data: {
            appointmentId,
            startsAt: body.startsAt,
            durationMinutes,
            now: this.facts.now().toISOString(),
            overlapping: state.status === 'initial' ? [] : await this.facts.overlapping(state.staffId, body.startsAt, durationMinutes, appointmentId),
          },
        };
      },
    });
    this.slots.forget(slotCheck?.eventTypeId);
    return result;
  }
}

export const staffOf = (state: Appointment): string => (state.status === 'initial' ? '' : state.staffId);
