import { type Appointment, type AppointmentDetails, appointmentDetails, notSyncedWithCalcom } from '#domain';

export interface AppointmentView extends AppointmentDetails {
  notes: string | null;
  cancellationReason: string | null;
  /** Filled by the Cal.com sync: the booking and how far it is in step with the ledger. */
  calcom: Record<string, unknown> | null;
}

export function toView(state: Exclude<Appointment, { status: 'initial' }>, version: number, calcom: AppointmentView['calcom']): AppointmentView {
  return {
    ...appointmentDetails(state, version),
    // What the ledger keeps that Cal.com's booking does not (ledger-only statuses, contact corrections).
    calcom: calcom ? { ...calcom, notSynced: notSyncedWithCalcom(state) } : null,
  };
}
