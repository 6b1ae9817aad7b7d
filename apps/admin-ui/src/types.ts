/** The shapes the ledger's API answers with, as far as the screens read them. */
export type Role = 'admin' | 'auditor';
export type SyncStatus = 'pending' | 'synced' | 'failed' | 'conflict';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  user: User;
  csrfToken: string;
}

export interface UiConfig {
  businessTimeZone: string;
  locales: string[];
  version: string;
}

export interface Customer {
  name: string;
  email: string;
  timeZone: string;
  phone?: string | null;
}

export interface CalcomBlock {
  bookingUid: string | null;
  bookingUids?: string[];
  syncStatus: SyncStatus | string;
  lastSyncedAt?: string | null;
  attempts?: number;
  lastError?: unknown;
  nextRetryAt?: string | null;
  notSynced?: string[];
  [more: string]: unknown;
}

export interface Appointment {
  appointmentId: string;
  status: string;
  startsAt: string;
  endsAt: string;
  staffId: string;
  serviceId: string;
  customer: Customer;
  notes: string | null;
  cancellationReason: string | null;
  version: number;
  calcom?: CalcomBlock | null;
}

export interface AppointmentPage {
  items: Appointment[];
  nextCursor: string | null;
}

export interface Staff {
  staffId: string;
  name: string;
  email: string;
  calcomUserId: number | null;
}

export interface Service {
  serviceId: string;
  name: string;
  durationMinutes: number;
  calcomEventTypeIds: Record<string, number>;
}

export interface HistoryEntry {
  streamName: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  revision: number;
  position: string | number;
  recordedAt: string;
}

export interface CommandAnswer {
  appointmentId: string;
  version: number;
}
