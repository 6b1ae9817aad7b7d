import type { DataSource, Repository } from 'typeorm';
import { ServiceRow, StaffRow } from './catalog.entities.js';

export interface StaffView {
  staffId: string;
  name: string;
  email: string;
  calcomUserId: number | null;
  version: number;
}

export interface ServiceView {
  serviceId: string;
  name: string;
  durationMinutes: number;
  calcomEventTypeIds: Record<string, number>;
  version: number;
}

/** The catalog is small, so listings are whole, ordered by id. */
export class CatalogQueries {
  private readonly staff: Repository<StaffRow>;
  private readonly services: Repository<ServiceRow>;

  constructor(dataSource: DataSource) {
    this.staff = dataSource.getRepository(StaffRow);
    this.services = dataSource.getRepository(ServiceRow);
  }

  async listStaff(): Promise<StaffView[]> {
    return (await this.staff.find({ order: { staffId: 'ASC' } })).map(toStaffView);
  }

  async getStaff(staffId: string): Promise<StaffView | null> {
    const row = await this.staff.findOneBy({ staffId });
    return row && toStaffView(row);
  }

  async listServices(): Promise<ServiceView[]> {
    return (await this.services.find({ order: { serviceId: 'ASC' } })).map(toServiceView);
  }

  async getService(serviceId: string): Promise<ServiceView | null> {
    const row = await this.services.findOneBy({ serviceId });
    return row && toServiceView(row);
  }
}

const toStaffView = ({ staffId, name, email, calcomUserId, version }: StaffRow): StaffView => ({
  staffId,
  name,
  email,
  calcomUserId,
  version,
});

const toServiceView = ({ serviceId, name, durationMinutes, calcomEventTypeIds, version }: ServiceRow): ServiceView => ({
  serviceId,
  name,
  durationMinutes,
  calcomEventTypeIds,
  version,
});
