import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadAccess } from '../auth/auth.guard.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { dateTimeFromQuery } from '../http/query-params.js';
import { appointmentIdFromPath, expectedVersionFromIfMatch } from '../http/path-ids.js';
import { CancelAppointment, CancelAppointmentDto } from './cancel-appointment.command.js';
import { ChangeService, ChangeServiceDto } from './change-service.command.js';
import { ChangeContactDto, contactFieldsOf, DeclineAppointmentDto, DeskAction, deskCommands, MarkNoShowDto, NoFieldsDto } from './desk-action.command.js';
import { GetAppointment } from './get-appointment.query.js';
import { GetHistory } from './get-history.query.js';
import { ListAppointments, ListAppointmentsDto } from './list-appointments.query.js';
import { ReassignStaff, ReassignStaffDto } from './reassign-staff.command.js';
import { RescheduleAppointment, RescheduleAppointmentDto } from './reschedule-appointment.command.js';
import { ScheduleAppointment, ScheduleAppointmentDto } from './schedule-appointment.command.js';

/** One number everywhere: a list item's `version`, the item's `version` and ETag, a command's answer. */
const VERSION =
  "`version` is the appointment's event count (1 once scheduled, one more per change): the same number in the list, the item, its ETag and every command's answer, and what If-Match takes";
const IF_MATCH = {
  name: 'If-Match',
  required: false,
  description: `The version last seen, in quotes, e.g. "3" (from the list, the item's ETag or a command's answer): a stale one is refused with 412 VERSION_CONFLICT`,
};

@ApiTags('appointments')
@ApiBearerAuth()
@Controller('appointments')
export class AppointmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  schedule(@Body() body: ScheduleAppointmentDto, @Context() context: RequestContext) {
    return this.commands.execute(new ScheduleAppointment(body, adminMetadata(context)));
  }

  @Post(':id/reschedule')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  reschedule(@Param('id') id: string, @Body() body: RescheduleAppointmentDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    return this.commands.execute(new RescheduleAppointment(appointmentIdFromPath(id), body, expectedVersionFromIfMatch(ifMatch), adminMetadata(context, body.reason ?? null)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  cancel(@Param('id') id: string, @Body() body: CancelAppointmentDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    return this.commands.execute(new CancelAppointment(appointmentIdFromPath(id), body, expectedVersionFromIfMatch(ifMatch), adminMetadata(context, body.reason)));
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  reassign(@Param('id') id: string, @Body() body: ReassignStaffDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    return this.commands.execute(new ReassignStaff(appointmentIdFromPath(id), body, expectedVersionFromIfMatch(ifMatch), adminMetadata(context, body.reason ?? null)));
  }

  @Post(':id/change-service')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  changeService(@Param('id') id: string, @Body() body: ChangeServiceDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    return this.commands.execute(new ChangeService(appointmentIdFromPath(id), body, expectedVersionFromIfMatch(ifMatch), adminMetadata(context, body.reason ?? null)));
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Accept a requested booking; the Cal.com sync confirms it there' })
  confirm(@Param('id') id: string, @Body() _body: NoFieldsDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(new DeskAction(appointmentId, deskCommands.confirm(appointmentId), expectedVersionFromIfMatch(ifMatch), adminMetadata(context)));
  }

  @Post(':id/decline')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Turn down a requested booking; the Cal.com sync declines it there' })
  decline(@Param('id') id: string, @Body() body: DeclineAppointmentDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(
      new DeskAction(appointmentId, deskCommands.decline(appointmentId, body), expectedVersionFromIfMatch(ifMatch), adminMetadata(context, body.reason ?? null)),
    );
  }

  @Post(':id/no-show')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({
    summary: 'After the start: the customer did not come (absent: true) or came after all (false); the Cal.com sync marks it there. Before the start: 409 APPOINTMENT_NOT_STARTED',
  })
  noShow(@Param('id') id: string, @Body() body: MarkNoShowDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(new DeskAction(appointmentId, deskCommands.noShow(appointmentId, body), expectedVersionFromIfMatch(ifMatch), adminMetadata(context)));
  }

  @Post(':id/check-in')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'The desk\'s check-in (status arrived): the ledger\'s own; Cal.com has no word for it (calcom.notSynced: ["status"])' })
  checkIn(@Param('id') id: string, @Body() _body: NoFieldsDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(new DeskAction(appointmentId, deskCommands.checkIn(appointmentId), expectedVersionFromIfMatch(ifMatch), adminMetadata(context), ['status']));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: "The desk's check-out (status completed): kept in the ledger; Cal.com's booking stays accepted" })
  complete(@Param('id') id: string, @Body() _body: NoFieldsDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(new DeskAction(appointmentId, deskCommands.complete(appointmentId), expectedVersionFromIfMatch(ifMatch), adminMetadata(context), ['status']));
  }

  @Post(':id/contact')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: "Correct the customer's name, e-mail, phone or the notes: kept in the ledger; Cal.com cannot change them, calcom.notSynced names them" })
  contact(@Param('id') id: string, @Body() body: ChangeContactDto, @Headers('if-match') ifMatch: string | undefined, @Context() context: RequestContext) {
    const appointmentId = appointmentIdFromPath(id);
    return this.commands.execute(
      new DeskAction(appointmentId, deskCommands.contact(appointmentId, body), expectedVersionFromIfMatch(ifMatch), adminMetadata(context), contactFieldsOf(body)),
    );
  }

  @Get()
  @ReadAccess()
  @ApiOkResponse({ description: `{ items, nextCursor }; ${VERSION}` })
  list(@Query() query: ListAppointmentsDto) {
    return this.queries.execute(new ListAppointments(query));
  }

  @Get(':id')
  @ReadAccess()
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO 8601 time with offset: the appointment as it stood then' })
  @ApiOkResponse({ description: `The appointment, with ETag: "<version>"; ${VERSION}` })
  async get(@Param('id') id: string, @Query('asOf') asOf: unknown, @Res({ passthrough: true }) response: Response) {
    const view = await this.queries.execute(new GetAppointment(appointmentIdFromPath(id), dateTimeFromQuery('asOf', asOf)));
    response.setHeader('ETag', `"${view.version}"`);
    return view;
  }

  @Get(':id/history')
  @ReadAccess()
  history(@Param('id') id: string) {
    return this.queries.execute(new GetHistory(appointmentIdFromPath(id)));
  }
}
