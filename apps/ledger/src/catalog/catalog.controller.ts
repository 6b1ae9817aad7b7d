import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { serviceStream, staffStream } from '../../../../libs/domain/src/index.js';
import { CatalogQueries } from '../../../../projections/src/catalog.queries.js';
import { ReadAccess } from '../auth/auth.guard.js';
import { adminMetadata, Context, type RequestContext } from '../http/request-context.js';
import { newIdFromPath } from '../http/path-ids.js';
import { SaveServiceDto, SaveStaffDto } from './catalog.dto.js';
import { SaveCatalogEntry } from './save-catalog-entry.js';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller()
export class CatalogController {
  constructor(
    private readonly saver: SaveCatalogEntry,
    private readonly catalog: CatalogQueries,
  ) {}

  @Put('staff/:staffId')
  async saveStaff(@Param('staffId') staffId: string, @Body() body: SaveStaffDto, @Context() context: RequestContext) {
    const data = { staffId: newIdFromPath('staff', staffId), name: body.name, email: body.email, calcomUserId: body.calcomUserId ?? null };
    const { version } = await this.saver.save(staffStream(staffId), { type: 'StaffMemberSaved', data }, adminMetadata(context));
    return { ...data, version };
  }

  @Get('staff')
  @ReadAccess()
  async listStaff() {
    return { items: await this.catalog.listStaff() };
  }

  @Put('services/:serviceId')
  async saveService(@Param('serviceId') serviceId: string, @Body() body: SaveServiceDto, @Context() context: RequestContext) {
    const data = { serviceId: newIdFromPath('service', serviceId), name: body.name, durationMinutes: body.durationMinutes, calcomEventTypeIds: body.calcomEventTypeIds };
    const { version } = await this.saver.save(serviceStream(serviceId), { type: 'ServiceSaved', data }, adminMetadata(context));
    return { ...data, version };
  }

  @Get('services')
  @ReadAccess()
  async listServices() {
    return { items: await this.catalog.listServices() };
  }
}
