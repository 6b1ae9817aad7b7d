import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_STORED_INTEGER } from '../../../../libs/domain/src/index.js';
import { IsCalcomId, IsEmailAddress, IsEventTypeMap, IsLine, TEXT_LIMITS } from '../http/validators.js';

export class SaveStaffDto {
  @IsLine(TEXT_LIMITS.name, { example: 'Sam Carter' }) name: string;
  @IsEmailAddress() email: string;
  @ApiPropertyOptional({ description: 'The Cal.com user id of this staff member (their bookings are hosted by it)', example: 101, minimum: 1, maximum: MAX_STORED_INTEGER })
  @IsOptional()
  @IsCalcomId()
  calcomUserId?: number;
}

export class SaveServiceDto {
  @IsLine(TEXT_LIMITS.name, { example: 'Haircut' }) name: string;
  @ApiProperty({ example: 30, minimum: 5, maximum: 1440 }) @IsInt() @Min(5) @Max(1440) durationMinutes: number;

  @ApiProperty({ description: 'The Cal.com event type that books this service with each staff member', example: { sam: 2001 } })
  @IsEventTypeMap()
  calcomEventTypeIds: Record<string, number>;
}
