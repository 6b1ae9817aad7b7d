import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AppointmentsQueries, MAX_PAGE_SIZE, type AppointmentSummary, MAX_CURSOR_LENGTH } from '#projections';
import { IsPageSize } from '../http/query-params.js';
import { IsDateTimeWithOffset, IsEntityId, IsSafeText } from '../http/validators.js';
import { CalcomStatusLookup } from './calcom-status.lookup.js';

/** Every status an appointment can have, the desk's own (arrived) included. */
const LISTED_STATUSES = ['scheduled', 'requested', 'arrived', 'completed', 'no_show', 'rejected', 'cancelled'];

const SYNC_STATUSES = ['pending', 'synced', 'failed', 'conflict'];

export class ListAppointmentsDto {
  @ApiPropertyOptional({ enum: LISTED_STATUSES }) @IsOptional() @IsIn(LISTED_STATUSES) status?: string;
  @IsEntityId({ description: 'Only this staff member', optional: true }) @IsOptional() staffId?: string;
  @ApiPropertyOptional({ description: 'Appointments ending after this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() from?: string;
  @ApiPropertyOptional({ description: 'Appointments starting before this time (ISO 8601 with offset)' }) @IsOptional() @IsDateTimeWithOffset() to?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 }) @IsOptional() @IsPageSize(MAX_PAGE_SIZE) limit?: number;
  @IsEntityId({ description: 'Only this service', optional: true }) @IsOptional() serviceId?: string;
  @ApiPropertyOptional({ enum: SYNC_STATUSES, description: "The item's calcom.syncStatus" }) @IsOptional() @IsIn(SYNC_STATUSES) syncStatus?: string;
  @ApiPropertyOptional({ description: "Part of the customer's name, email or phone (any case)" }) @IsOptional() @IsSafeText({ maxLength: 200, minLength: 1 }) search?: string;
  @ApiPropertyOptional({ description: 'From `nextCursor` of the previous page' }) @IsOptional() @IsSafeText({ maxLength: MAX_CURSOR_LENGTH, minLength: 1 }) cursor?: string;
}

/** A page of the list: each item with the `calcom` block `GET /appointments/{id}` shows. */
export interface AppointmentListPage {
  items: (AppointmentSummary & { calcom: Record<string, unknown> | null })[];
  nextCursor: string | null;
}

export class ListAppointments extends Query<AppointmentListPage> {
  constructor(readonly filters: ListAppointmentsDto) {
    super();
  }
}

@QueryHandler(ListAppointments)
export class ListAppointmentsHandler implements IQueryHandler<ListAppointments> {
  constructor(
    private readonly appointments: AppointmentsQueries,
    private readonly calcom: CalcomStatusLookup,
  ) {}

  async execute({ filters }: ListAppointments): Promise<AppointmentListPage> {
    const page = await this.appointments.list(filters);
    const statuses = await this.calcom.statusesOf(page.items.map((item) => item.appointmentId));
    return { ...page, items: page.items.map((item) => ({ ...item, calcom: statuses.get(item.appointmentId) ?? null })) };
  }
}
