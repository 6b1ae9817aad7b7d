import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { MAX_STORED_INTEGER, type StaffMemberSaved } from '#domain';
import type { EventMetadata } from '#event-store';
import { newIdFromPath } from '../http/path-ids.js';
import { IsCalcomId, IsEmailAddress, IsLine, TEXT_LIMITS } from '../http/validators.js';
import { CatalogCommandService } from './catalog-command.service.js';

export class SaveStaffDto {
  @IsLine(TEXT_LIMITS.name, { example: 'Sam Carter' }) name: string;
  @IsEmailAddress() email: string;
  @ApiPropertyOptional({ description: 'The Cal.com user id of this staff member (their bookings are hosted by it)', example: 101, minimum: 1, maximum: MAX_STORED_INTEGER })
  @IsOptional()
  @IsCalcomId()
  calcomUserId?: number;
}

export type SavedStaffMember = StaffMemberSaved['data'] & { version: number };

export class SaveStaffMember extends Command<SavedStaffMember> {
  constructor(
    readonly staffId: string,
    readonly body: SaveStaffDto,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}

@CommandHandler(SaveStaffMember)
export class SaveStaffMemberHandler implements ICommandHandler<SaveStaffMember> {
  constructor(private readonly catalog: CatalogCommandService) {}

  async execute({ staffId, body, metadata }: SaveStaffMember): Promise<SavedStaffMember> {
    const data = { staffId: newIdFromPath('staff', staffId), name: body.name, email: body.email, calcomUserId: body.calcomUserId ?? null };
    const { version } = await this.catalog.execute({ type: 'SaveStaffMember', data }, metadata);
    return { ...data, version };
  }
}
