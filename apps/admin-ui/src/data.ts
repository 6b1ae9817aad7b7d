import { useQuery } from '@tanstack/react-query';
import { get, query } from './api';
import type { Appointment, AppointmentPage, HistoryEntry, Service, Staff } from './types';

/** Server state lives in one cache; these are its keys and fetchers. Live events invalidate by the first key part. */
export function useStaff() {
  return useQuery({ queryKey: ['catalog', 'staff'], queryFn: () => get<Staff[] | { items: Staff[] }>('/staff').then(listOf), staleTime: 60_000 });
}

export function useServices() {
  return useQuery({ queryKey: ['catalog', 'services'], queryFn: () => get<Service[] | { items: Service[] }>('/services').then(listOf), staleTime: 60_000 });
}

const listOf = <T>(body: T[] | { items: T[] }): T[] => (Array.isArray(body) ? body : body.items);

/** Every appointment touching [from, to), all pages (the calendar draws the whole range). */
export function useAppointmentsBetween(from: Date, to: Date) {
  return useQuery({
    queryKey: ['appointments', 'range', from.toISOString(), to.toISOString()],
    queryFn: async () => {
      const items: Appointment[] = [];
      let cursor: string | null = null;
      do {
        const page: AppointmentPage = await get<AppointmentPage>(`/appointments${query({ from: from.toISOString(), to: to.toISOString(), limit: 200, cursor })}`);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
    placeholderData: (previous) => previous,
  });
}

export function useAppointment(appointmentId: string, asOf: string | null = null) {
  return useQuery({
    queryKey: ['appointment', appointmentId, asOf],
    queryFn: () => get<Appointment>(`/appointments/${encodeURIComponent(appointmentId)}${query({ asOf })}`),
  });
}

export function useHistory(appointmentId: string) {
  return useQuery({
    queryKey: ['appointment', appointmentId, 'history'],
    queryFn: () => get<{ events: HistoryEntry[] }>(`/appointments/${encodeURIComponent(appointmentId)}/history`).then((body) => body.events),
  });
}

export const nameOf = <T extends { name: string }>(items: T[] | undefined, id: string, key: keyof T): string => items?.find((item) => item[key] === id)?.name ?? id;
