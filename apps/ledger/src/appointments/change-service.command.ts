import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { EventMetadata } from '#event-store';
import { IsEntityId, IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';
import { CalcomSlotCheck, withSlotCheck } from './calcom-slot-check.js';
import { staffOf } from './reschedule-appointment.command.js';

export class ChangeServiceDto {
  @IsEntityId({ description: 'The new service from the catalog' }) serviceId: string;
  @IsReason({ required: false }) @IsOptional() reason?: string;

  @ApiProperty({ required: false, description: "Accept the time without asking Cal.com's slots; recorded in the history" })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ChangeService extends Command<CommandResult> {
  constructor(
    readonly appointmentId: string,
    readonly body: ChangeServiceDto,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(ChangeService)
export class ChangeServiceHandler implements ICommandHandler<ChangeService> {
  constructor(
    private readonly commands: AppointmentCommandService,
    private readonly facts: AppointmentFacts,
    private readonly slots: CalcomSlotCheck,
  ) {}

  async execute({ appointmentId, body, expectedVersion, metadata }: ChangeService): Promise<CommandResult> {
    const catalog = this.facts.forOneCommand();
    const [service, read] = await Promise.all([catalog.service(body.serviceId), this.commands.read(appointmentId)]);
    const slotCheck = await this.slots.checkChange(
      appointmentId,
      read.state,
      body.force,
      (current) => ({ staffId: current.staffId, serviceId: body.serviceId, startsAt: current.startsAt }),
      catalog,
    );
    const result = await this.commands.execute({
      appointmentId,
      read,
      expectedVersion,
      metadata: withSlotCheck(metadata, slotCheck),
      calendarsOf: (state) => [staffOf(state)],
      build: async (state) => ({
        type: 'ChangeService',
        data: {
          appointmentId,
          serviceId: body.serviceId,
          durationMinutes: service.durationMinutes,
          now: this.facts.now().toISOString(),
          overlapping: state.status === 'initial' ? [] : await this.facts.overlapping(state.staffId, state.startsAt, service.durationMinutes, appointmentId),
        },
      }),
    });
    this.slots.forget(slotCheck?.eventTypeId);
    return result;
  }
}
