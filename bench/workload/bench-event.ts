import type { AppointmentCancelled, AppointmentRescheduled, AppointmentScheduled, StaffReassigned } from '#domain';
import type { EventMetadata } from '#event-store';

/** The appointment events the benchmark writes: the domain's own shapes. */
export type BenchDomainEvent = AppointmentScheduled | AppointmentRescheduled | StaffReassigned | AppointmentCancelled;

/** One event as every contender receives it: the same id, stream, type, data and metadata. */
export type BenchEvent = BenchDomainEvent & {
  id: string;
  streamName: string;
  metadata: EventMetadata;
};

export const benchEventTypes: readonly BenchEvent['type'][] = ['AppointmentScheduled', 'AppointmentRescheduled', 'StaffReassigned', 'AppointmentCancelled'];
