import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IsOptional } from 'class-validator';
import type { EventMetadata } from '../../../../libs/event-store/src/event-store.port.js';
import { IsEntityId, IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';
import { AppointmentFacts } from './appointment-facts.js';
import { staffOf } from './reschedule-appointment.command.js';

export class ChangeServiceDto {
  @IsEntityId({ description: 'The new service from the catalog' }) serviceId: string;
  @IsReason({ required: false }) @IsOptional() reason?: string;
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
  ) {}

  async execute({ appointmentId, body, expectedVersion, metadata }: ChangeService): Promise<CommandResult> {
    const service = await this.facts.service(body.serviceId);
    return this.commands.execute({
      appointmentId,
      expectedVersion,
      metadata,
      calendarsOf: (state) => [staffOf(state)],
      build: async (state) => ({
        type: 'ChangeService',
        data: {
          appointmentId,
          serviceId: body.serviceId,
          durationMinutes: service.durationMinutes,
          now: this.facts.now().toISOString(),
          overlapping:
            state.status === 'initial'
              ? []
              : await this.facts.overlapping(state.staffId, state.startsAt, service.durationMinutes, appointmentId),
        },
      }),
    });
  }
}
