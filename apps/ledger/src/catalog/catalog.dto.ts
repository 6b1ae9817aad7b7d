import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsInt, IsNotEmpty, IsObject, IsOptional, IsPositive, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { ID_PATTERN } from '../http/validators.js';

export class SaveStaffDto {
  @ApiProperty({ example: 'Sam Carter' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty({ example: 'sam@salon.example' }) @IsEmail() @MaxLength(254) email: string;
  @ApiPropertyOptional({ description: 'The Cal.com user id of this staff member (their bookings are hosted by it)', example: 101 })
  @IsOptional()
  @IsInt()
  @IsPositive()
  calcomUserId?: number;
}

export class SaveServiceDto {
  @ApiProperty({ example: 'Haircut' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty({ example: 30, minimum: 5, maximum: 1440 }) @IsInt() @Min(5) @Max(1440) durationMinutes: number;

  @ApiProperty({ description: 'The Cal.com event type that books this service with each staff member', example: { sam: 2001 } })
  @IsObject()
  @ValidateBy({
    name: 'isEventTypeMap',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        Object.entries(value).every(([staffId, id]) => ID_PATTERN.test(staffId) && Number.isInteger(id) && (id as number) > 0),
      defaultMessage: () => '$property must map staff ids to positive integer Cal.com event type ids',
    },
  })
  calcomEventTypeIds: Record<string, number>;
}
