import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { ServiceSaved } from '#domain';
import type { EventMetadata } from '#event-store';
import { newIdFromPath } from '../http/path-ids.js';
import { IsEventTypeMap, IsLine, TEXT_LIMITS } from '../http/validators.js';
import { CatalogCommandService } from './catalog-command.service.js';

export class SaveServiceDto {
  @IsLine(TEXT_LIMITS.name, { example: 'Haircut' }) name: string;
  @ApiProperty({ example: 30, minimum: 5, maximum: 1440 }) @IsInt() @Min(5) @Max(1440) durationMinutes: number;

  @ApiProperty({ description: 'The Cal.com event type that books this service with each staff member', example: { sam: 2001 } })
  @IsEventTypeMap()
  calcomEventTypeIds: Record<string, number>;
}

export type SavedService = ServiceSaved['data'] & { version: number };

export class SaveService extends Command<SavedService> {
  constructor(
    readonly serviceId: string,
    readonly body: SaveServiceDto,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(SaveService)
export class SaveServiceHandler implements ICommandHandler<SaveService> {
  constructor(private readonly catalog: CatalogCommandService) {}

  async execute({ serviceId, body, metadata }: SaveService): Promise<SavedService> {
    const data = { serviceId: newIdFromPath('service', serviceId), name: body.name, durationMinutes: body.durationMinutes, calcomEventTypeIds: body.calcomEventTypeIds };
    const { version } = await this.catalog.execute({ type: 'SaveService', data }, metadata);
    return { ...data, version };
  }
}
