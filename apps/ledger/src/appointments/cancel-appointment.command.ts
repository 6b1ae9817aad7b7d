import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventMetadata } from '#event-store';
import { IsReason } from '../http/validators.js';
import { AppointmentCommandService, type CommandResult } from './appointment-command.service.js';

export class CancelAppointmentDto {
  @IsReason({ required: true }) reason: string;
}

export class CancelAppointment extends Command<CommandResult> {
  constructor(
    readonly appointmentId: string,
    readonly body: CancelAppointmentDto,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(CancelAppointment)
export class CancelAppointmentHandler implements ICommandHandler<CancelAppointment> {
  constructor(private readonly commands: AppointmentCommandService) {}

  execute({ appointmentId, body, expectedVersion, metadata }: CancelAppointment): Promise<CommandResult> {
    return this.commands.execute({
      appointmentId,
      expectedVersion,
      metadata,
      build: async () => ({ type: 'CancelAppointment', data: { appointmentId, reason: body.reason } }),
    });
  }
}
