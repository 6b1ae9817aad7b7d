import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { EventMetadata } from '#event-store';
import { IsEntityId, IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';
import { CalcomSlotCheck, withSlotCheck } from './calcom-slot-check.js';

export class ReassignStaffDto {
  @IsEntityId({ description: 'The staff member who takes over' }) staffId: string;
  @IsReason({ required: false }) @IsOptional() reason?: string;

  @ApiProperty({ required: false, description: "Accept the time without asking Cal.com's slots; recorded in the history" })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ReassignStaff extends Command<CommandResult> {
  constructor(
    readonly appointmentId: string,
    readonly body: ReassignStaffDto,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(ReassignStaff)
export class ReassignStaffHandler implements ICommandHandler<ReassignStaff> {
  constructor(
    private readonly commands: AppointmentCommandService,
    private readonly facts: AppointmentFacts,
    private readonly slots: CalcomSlotCheck,
  ) {}

  async execute({ appointmentId, body, expectedVersion, metadata }: ReassignStaff): Promise<CommandResult> {
    const catalog = this.facts.forOneCommand();
    const [, read] = await Promise.all([catalog.staff(body.staffId), this.commands.read(appointmentId)]);
    const slotCheck = await this.slots.checkChange(
      appointmentId,
      read.state,
      body.force,
      (current) => ({ staffId: body.staffId, serviceId: current.serviceId, startsAt: current.startsAt }),
      catalog,
    );
    const result = await this.commands.execute({
      appointmentId,
      read,
      expectedVersion,
      metadata: withSlotCheck(metadata, slotCheck),
      calendarsOf: () => [body.staffId],
      build: async (state) => ({
        type: 'ReassignStaff',
        data: {
          appointmentId,
          staffId: body.staffId,
          now: this.facts.now().toISOString(),
          overlapping: state.status === 'initial' ? [] : await this.facts.overlappingWindow(body.staffId, state.startsAt, state.endsAt, appointmentId),
        },
      }),
    });
    this.slots.forget(slotCheck?.eventTypeId);
    return result;
  }
}
