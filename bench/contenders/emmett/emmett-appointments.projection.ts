import type { ReadEvent } from '@event-driven-io/emmett';
import { postgreSQLProjection, type PostgresReadEventMetadata } from '@event-driven-io/emmett-postgresql';
import { benchEventTypes, type BenchDomainEvent } from '../../workload/bench-event.js';
import type { EmmettEvent } from './emmett-appender.js';

type Statement = [text: string, values: unknown[]];

/**
 * The appointments read model as an Emmett projection: Emmett's projector hands it one event at a time inside the
 * batch's transaction; each event becomes one parameterised upsert/update on that transaction's client (the
 * cheapest way in that we found: no SQL formatting on the client side), guarded by version like ours.
 */
export const emmettAppointmentsProjection = postgreSQLProjection<EmmettEvent>({
  name: 'bench-appointments',
  canHandle: [...benchEventTypes],
  handle: async (events, context) => {
    for (const event of events) await context.connection.client.query(...statementFor(event));
  },
});

function statementFor(recorded: ReadEvent<EmmettEvent, PostgresReadEventMetadata>): Statement {
  const event = { type: recorded.type, data: recorded.data } as BenchDomainEvent;
  // Emmett's stream positions start at 1; the read model's version is the 0-based revision, as in ours.
  const version = Number(recorded.metadata.streamPosition) - 1;
  switch (event.type) {
    case 'AppointmentScheduled': {
      const { data } = event;
      return [
        `INSERT INTO appointments (appointment_id, status, starts_at, ends_at, staff_id, service_id, customer, notes,
                                   cancellation_reason, version, created_at, updated_at)
         VALUES ($1, 'scheduled', $2, $3, $4, $5, $6, $7, NULL, $8, now(), now())
         ON CONFLICT (appointment_id) DO NOTHING`,
        [data.appointmentId, data.startsAt, data.endsAt, data.staffId, data.serviceId, data.customer, data.notes, version],
      ];
    }
    case 'AppointmentRescheduled':
      return [
        `UPDATE appointments SET starts_at = $2, ends_at = $3, version = $4, updated_at = now()
          WHERE appointment_id = $1 AND version < $4`,
        [event.data.appointmentId, event.data.startsAt, event.data.endsAt, version],
      ];
    case 'StaffReassigned':
      return [
        'UPDATE appointments SET staff_id = $2, version = $3, updated_at = now() WHERE appointment_id = $1 AND version < $3',
        [event.data.appointmentId, event.data.staffId, version],
      ];
    case 'AppointmentCancelled':
      return [
        `UPDATE appointments SET status = 'cancelled', cancellation_reason = $2, version = $3, updated_at = now()
          WHERE appointment_id = $1 AND version < $3`,
        [event.data.appointmentId, event.data.reason, version],
      ];
  }
}
