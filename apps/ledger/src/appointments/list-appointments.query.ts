import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AppointmentsQueries, MAX_PAGE_SIZE } from '../../../../projections/src/appointments/appointments.queries.js';
import { MAX_CURSOR_LENGTH } from '../../../../projections/src/appointments/appointment-cursor.js';
import { IsPageSize } from '../http/query-params.js';
import { IsDateTimeWithOffset, IsEntityId, IsSafeText } from '../http/validators.js';

export class ListAppointmentsDto {
  @ApiPropertyOptional({ enum: ['scheduled', 'cancelled'] }) @IsOptional() @IsIn(['scheduled', 'cancelled']) status?: string;
  @IsEntityId({ description: 'Only this staff member', optional: true }) @IsOptional() staffId?: string;
  @ApiPropertyOptional({ description: 'Appointments ending after this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() from?: string;
  @ApiPropertyOptional({ description: 'Appointments starting before this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() to?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 }) @IsOptional() @IsPageSize(MAX_PAGE_SIZE) limit?: number;
  @ApiPropertyOptional({ description: 'From `nextCursor` of the previous page' }) @IsOptional() @IsSafeText({ maxLength: MAX_CURSOR_LENGTH, minLength: 1 }) cursor?: string;
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
