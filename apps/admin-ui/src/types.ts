import type { AppointmentDetails } from '#domain';

/**
 * The shapes the ledger's API answers with, as far as the screens read them. Where the server declares a shape, the
 * screens import it as a type: Vite erases type imports, so nothing of the server reaches the browser.
 */
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

/** `GET /appointments/{id}` (apps/ledger's AppointmentView): the details every reader is shown, and more. */
export interface Appointment extends AppointmentDetails {
  notes: string | null;
  cancellationReason: string | null;
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
