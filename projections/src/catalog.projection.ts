import type { EntityManager } from 'typeorm';
import { type CatalogEvent, type ServiceSaved, type StaffMemberSaved, versionAfter } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';

/**
 * Every catalog event is a full replacement, so per stream only the batch's last one matters;
 * the upsert still only moves a row forward, which keeps a replay from putting back an older version.
 */
export async function projectCatalogEvents(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const staff = new Map<string, RecordedEvent<StaffMemberSaved>>();
  const services = new Map<string, RecordedEvent<ServiceSaved>>();
  for (const recorded of events) {
    const event = recorded as RecordedEvent & CatalogEvent;
    if (event.type === 'StaffMemberSaved') staff.set(event.streamName, event);
    else if (event.type === 'ServiceSaved') services.set(event.streamName, event);
  }
  if (staff.size > 0) await upsertStaff(manager, [...staff.values()]);
  if (services.size > 0) await upsertServices(manager, [...services.values()]);
}

async function upsertStaff(
  manager: EntityManager,
  events: readonly RecordedEvent<StaffMemberSaved>[],
): Promise<void> {
  const rows = events.map(({ data, revision, recordedAt }) => ({
    staff_id: data.staffId,
    name: data.name,
    email: data.email,
    calcom_user_id: data.calcomUserId,
    version: versionAfter(revision),
    updated_at: recordedAt,
  }));
  await manager.query(
    `INSERT INTO staff AS s (staff_id, name, email, calcom_user_id, version, updated_at)
     SELECT staff_id, name, email, calcom_user_id, version, updated_at
       FROM json_to_recordset($1::json) AS r(
              staff_id text, name text, email text, calcom_user_id bigint, version integer, updated_at timestamptz)
     ON CONFLICT (staff_id) DO UPDATE SET
            name = EXCLUDED.name, email = EXCLUDED.email, calcom_user_id = EXCLUDED.calcom_user_id,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
      WHERE s.version < EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}

async function upsertServices(
  manager: EntityManager,
  events: readonly RecordedEvent<ServiceSaved>[],
): Promise<void> {
  const rows = events.map(({ data, revision, recordedAt }) => ({
    service_id: data.serviceId,
    name: data.name,
    duration_minutes: data.durationMinutes,
    calcom_event_type_ids: data.calcomEventTypeIds,
    version: versionAfter(revision),
    updated_at: recordedAt,
  }));
  await manager.query(
    `INSERT INTO services AS s (service_id, name, duration_minutes, calcom_event_type_ids, version, updated_at)
     SELECT service_id, name, duration_minutes, calcom_event_type_ids, version, updated_at
       FROM json_to_recordset($1::json) AS r(
              service_id text, name text, duration_minutes integer, calcom_event_type_ids jsonb, version integer,
              updated_at timestamptz)
     ON CONFLICT (service_id) DO UPDATE SET
            name = EXCLUDED.name, duration_minutes = EXCLUDED.duration_minutes,
            calcom_event_type_ids = EXCLUDED.calcom_event_type_ids, version = EXCLUDED.version,
            updated_at = EXCLUDED.updated_at
      WHERE s.version < EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}
