import { catalogStreamPrefixes, type ServiceSaved, type StaffMemberSaved, versionAfter } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel } from '../read-model.js';
import { type ReadModelTable, upsertRows } from '../read-model-table.js';

interface StaffRecord {
  staff_id: string;
  name: string;
  email: string;
  calcom_user_id: number | null;
  version: number;
  updated_at: string;
}

interface ServiceRecord {
  service_id: string;
  name: string;
  duration_minutes: number;
  calcom_event_type_ids: Record<string, number>;
  version: number;
  updated_at: string;
}

const staffTable: ReadModelTable<StaffRecord> = {
  name: 'staff',
  columns: { staff_id: 'text', name: 'text', email: 'text', calcom_user_id: 'bigint', version: 'integer', updated_at: 'timestamptz' },
  key: 'staff_id',
  guard: 'version',
};

const servicesTable: ReadModelTable<ServiceRecord> = {
  name: 'services',
  columns: { service_id: 'text', name: 'text', duration_minutes: 'integer', calcom_event_type_ids: 'jsonb', version: 'integer', updated_at: 'timestamptz' },
  key: 'service_id',
  guard: 'version',
};

const isCatalogStream = (streamName: string): boolean => catalogStreamPrefixes.some((prefix) => streamName.startsWith(prefix));

/**
 * `staff` and `services`, one row per stream. Every catalog event is a full replacement, so per stream only the
 * batch's last one matters; the upsert still only moves a row forward, which keeps a replay from putting back an
 * older version.
 */
export const catalogReadModel: ReadModel = {
  name: 'catalog',
  streamPrefixes: catalogStreamPrefixes,
  tables: ['staff', 'services'],
  canHandle: (event) => isCatalogStream(event.streamName),
  async handle(manager, events) {
    const staff = new Map<string, StaffRecord>();
    const services = new Map<string, ServiceRecord>();
    for (const event of events as readonly RecordedEvent<StaffMemberSaved | ServiceSaved>[]) {
      const moved = { version: versionAfter(event.revision), updated_at: event.recordedAt };
      if (event.type === 'StaffMemberSaved') {
        const { staffId, name, email, calcomUserId } = event.data;
        staff.set(event.streamName, { staff_id: staffId, name, email, calcom_user_id: calcomUserId, ...moved });
      } else if (event.type === 'ServiceSaved') {
        const { serviceId, name, durationMinutes, calcomEventTypeIds } = event.data;
        services.set(event.streamName, { service_id: serviceId, name, duration_minutes: durationMinutes, calcom_event_type_ids: calcomEventTypeIds, ...moved });
      }
    }
    await upsertRows(manager, staffTable, [...staff.values()]);
    await upsertRows(manager, servicesTable, [...services.values()]);
  },
};
