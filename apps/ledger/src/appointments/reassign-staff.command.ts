import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import type { EventMetadata } from '../../../../libs/event-store/src/event-store.port.js';
import { IsEntityId, IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';

export class ReassignStaffDto {
  @IsEntityId({ description: 'The staff member who takes over' }) staffId: string;
  @IsReason({ required: false }) @IsOptional() reason?: string;
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
  ) {}

  async execute({ appointmentId, body, expectedVersion, metadata }: ReassignStaff): Promise<CommandResult> {
    await this.facts.staff(body.staffId);
    return this.commands.execute({
      appointmentId,
      expectedVersion,
      metadata,
      calendarsOf: () => [body.staffId],
      build: async (state) => ({
        type: 'ReassignStaff',
        data: {
          appointmentId,
          staffId: body.staffId,
          now: this.facts.now().toISOString(),
          overlapping:
            state.status === 'initial'
              ? []
              : await this.facts.overlappingWindow(body.staffId, state.startsAt, state.endsAt, appointmentId),
        },
      }),
    });
  }
}
