import { badResponse, type CalcomRequestInfo } from './calcom.errors.js';
import type { CalcomBooking, CalcomBookingFilters, CalcomPagination } from './calcom.types.js';

/** Cal.com API v2 wraps every answer as `{status: "success", data}`, plus `pagination` on lists. */
export interface SuccessEnvelope {
  status: 'success';
  data: unknown;
  pagination?: CalcomPagination;
}

export function successEnvelope(body: string): SuccessEnvelope | undefined {
  try {
    const parsed = JSON.parse(body) as Partial<SuccessEnvelope> | null;
    return parsed?.status === 'success' && 'data' in parsed ? (parsed as SuccessEnvelope) : undefined;
  } catch {
    return undefined;
  }
}

/** Recurring bookings come back as arrays; this ledger books single ones only, so anything else is a surprise. */
export function expectBooking(call: CalcomRequestInfo, envelope: SuccessEnvelope): CalcomBooking {
  const data = envelope.data as Partial<CalcomBooking> | null;
  if (!data || Array.isArray(data) || typeof data.uid !== 'string') throw badResponse(call, 200, 'Cal.com answered without a single booking');
  return data as CalcomBooking;
}

/** Cal.com reads list filters (`status`, `eventTypeIds`) as comma-separated values. */
export function bookingSearchParams(filters: CalcomBookingFilters): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    params[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return params;
}
