import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CatalogQueries } from '#projections';
import { ReadAccess } from '../auth/auth.guard.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { SaveService, SaveServiceDto } from './save-service.command.js';
import { SaveStaffDto, SaveStaffMember } from './save-staff-member.command.js';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(
    private readonly commands: CommandBus,
    private readonly catalog: CatalogQueries,
  ) {}

  @Put('staff/:staffId')
  saveStaff(@Param('staffId') staffId: string, @Body() body: SaveStaffDto, @Context() context: RequestContext) {
    return this.commands.execute(new SaveStaffMember(staffId, body, adminMetadata(context)));
  }

  @Get('staff')
  @ReadAccess()
  async listStaff() {
    return { items: await this.catalog.listStaff() };
  }

  @Put('services/:serviceId')
  saveService(@Param('serviceId') serviceId: string, @Body() body: SaveServiceDto, @Context() context: RequestContext) {
    return this.commands.execute(new SaveService(serviceId, body, adminMetadata(context)));
  }

  @Get('services')
  @ReadAccess()
  async listServices() {
    return { items: await this.catalog.listServices() };
  }
}
