import type { Provider } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import type { EventStore } from '#event-store';
import { AppointmentsQueries, CatalogQueries } from '#projections';
import { AppointmentFacts } from '../appointments/appointment-facts.js';
import { CalcomSlotCheck } from '../appointments/calcom-slot-check.js';
import type { StaffCalendarLock } from '../appointments/staff-calendar.lock.js';
import { IdempotentRequests } from '../idempotency/idempotent-requests.js';
import type { ReadModelsCaughtUp } from '../read-your-writes.js';
import { AbsencePlanner } from './absence-planner.js';
import { AbsencePlans } from './absence-plans.js';
import { StaffAbsenceService } from './staff-absence.service.js';
import { StaffPresence } from './staff-presence.js';

export interface StaffAbsenceRuntime {
  store: EventStore;
  readModel: DataSource;
  calendarLock: StaffCalendarLock;
  caughtUp: ReadModelsCaughtUp;
  timeoutMs: number;
}

/** `POST/GET /staff/{id}/absences`; needs IdempotentRequests (appointmentsBulkProviders) and the appointment commands. */
export const staffAbsenceProviders = (runtime: StaffAbsenceRuntime): Provider[] => [
  { provide: StaffPresence, useValue: new StaffPresence(runtime.store) },
  { provide: AbsencePlans, useFactory: () => AbsencePlans.open(runtime.readModel) },
  {
    provide: AbsencePlanner,
    useFactory: (appointments: AppointmentsQueries, catalog: CatalogQueries, facts: AppointmentFacts, presence: StaffPresence, slots: CalcomSlotCheck) =>
      new AbsencePlanner(appointments, catalog, facts, presence, slots),
    inject: [AppointmentsQueries, CatalogQueries, AppointmentFacts, StaffPresence, CalcomSlotCheck],
  },
  {
    provide: StaffAbsenceService,
    useFactory: (commands: CommandBus, planner: AbsencePlanner, plans: AbsencePlans, presence: StaffPresence, requests: IdempotentRequests) =>
      new StaffAbsenceService(commands, runtime.store, planner, plans, presence, requests, runtime.calendarLock, runtime.caughtUp, runtime.timeoutMs),
    inject: [CommandBus, AbsencePlanner, AbsencePlans, StaffPresence, IdempotentRequests],
  },
];
