/** The shapes of apps/ledger/src/staff-absences as the UI reads them. */
export interface Absence {
  absenceId: string;
  staffId: string;
  from: string;
  to: string;
  reason: string;
  plan: 'reassign' | 'cancel';
  reassignTo: string[] | null;
  planFingerprint: string;
  cancelled: boolean;
}

export type PlanStep = {
  appointmentId: string;
  version: number;
  serviceId: string;
  startsAt: string;
  endsAt: string;
  why: string;
} & ({ action: 'reassign'; toStaffId: string } | { action: 'cancel'; toStaffId: null });

export interface DryRunAnswer {
  planFingerprint: string;
  steps: PlanStep[];
}

export interface StepOutcome {
  status: number;
  version?: number;
  error?: { code: string; message: string; details: unknown };
}

export interface RecordedAnswer {
  absenceId: string;
  planFingerprint: string;
  steps: (PlanStep & { outcome: StepOutcome })[];
}

/** 409 ABSENCE_PLAN_CHANGED's details. */
export interface PlanChanged {
  planFingerprint: string;
  differences: { appointmentId: string; planned: PlanStep | null; now: PlanStep | null }[];
  plan: PlanStep[];
}

/** The body both calls send; the real one adds the planFingerprint it carries out. */
export interface AbsenceRequestBody {
  absenceId: string;
  from: string;
  to: string;
  reason: string;
  plan: 'reassign' | 'cancel';
  reassignTo?: string[];
}
