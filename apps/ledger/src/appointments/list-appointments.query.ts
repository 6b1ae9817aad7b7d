import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppointmentsQueries } from '../../../../projections/src/appointments.queries.js';
import { IsDateTimeWithOffset, IsEntityId } from '../http/validators.js';

export class ListAppointmentsDto {
  @ApiPropertyOptional({ enum: ['scheduled', 'cancelled'] }) @IsOptional() @IsIn(['scheduled', 'cancelled']) status?: string;
  @IsEntityId({ description: 'Only this staff member', optional: true }) @IsOptional() staffId?: string;
  @ApiPropertyOptional({ description: 'Appointments ending after this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() from?: string;
  @ApiPropertyOptional({ description: 'Appointments starting before this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() to?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ description: 'From `nextCursor` of the previous page' }) @IsOptional() @IsString() @MaxLength(500) cursor?: string;
}

export class ListAppointments extends Query<Awaited<ReturnType<AppointmentsQueries['list']>>> {
  constructor(readonly filters: ListAppointmentsDto) {
    super();
  }
}

@QueryHandler(ListAppointments)
export class ListAppointmentsHandler implements IQueryHandler<ListAppointments> {
  constructor(private readonly appointments: AppointmentsQueries) {}

  execute({ filters }: ListAppointments) {
    return this.appointments.list(filters);
  }
}
